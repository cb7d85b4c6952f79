"""Book apprenant URLs (names under the `pfmp` namespace of pfmp/urls.py). Every view is gated
by `views_book.book_active_requis` (module activated by the DDFPT)."""

from django.urls import path

from pfmp import views_book as views

urlpatterns = [
    path("book/", views.mon_book, name="mon_book"),
    path("book/publier/", views.publication_creer, name="book_publier"),
    path("book/exporter/", views.exporter, name="book_exporter"),
    path("book/publications/<int:pk>/", views.publication, name="book_publication"),
    path(
        "book/publications/<int:pk>/modifier/",
        views.publication_modifier,
        name="book_modifier",
    ),
    path(
        "book/publications/<int:pk>/supprimer/",
        views.publication_supprimer,
        name="book_supprimer",
    ),
    path("book/publications/<int:pk>/medias/", views.publication_medias, name="book_medias"),
    path(
        "book/publications/<int:pk>/commenter/",
        views.commenter,
        name="book_commenter",
    ),
    path("book/medias/<int:pk>/", views.book_media, name="book_media"),
    path("book/medias/<int:pk>/supprimer/", views.media_supprimer, name="book_media_supprimer"),
    path("books/", views.books, name="books"),
    path("books/<int:apprenant>/", views.book_apprenant, name="book_apprenant"),
    # Same name as the learner's export: reverse with `apprenant` for the team's.
    path("books/<int:apprenant>/exporter/", views.exporter, name="book_exporter"),
]
