"""PFMP URLs: périodes (urls_periodes), portfolios and tutors (urls_portfolio), book."""

from pfmp import urls_book, urls_periodes, urls_portfolio

app_name = "pfmp"

urlpatterns = [*urls_periodes.urlpatterns, *urls_portfolio.urlpatterns, *urls_book.urlpatterns]
