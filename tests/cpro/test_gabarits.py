"""Missing template variables fail the suite (pytest-django's --fail-on-template-vars in
pyproject addopts, and tests/conftest.py for the loops it does not see)."""

import pytest
from django.template import Context, Template


def test_a_missing_variable_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="absente"):
        Template("{{ absente }}").render(Context({}))


def test_a_loop_over_a_missing_variable_fails_the_test():
    # The grid's "Niveau" list was empty for months: `{% for %}` ignores a missing sequence.
    with pytest.raises(pytest.fail.Exception, match="options_niveau"):
        Template("{% for v in options_niveau %}{{ v }}{% endfor %}").render(Context({}))


def test_guards_and_present_values_pass():
    gabarit = Template(
        "{% if absente %}{{ absente }}{% endif %}{% for v in vide %}{{ v }}{% empty %}-{% endfor %}"
        "{% for v in rien %}{{ v }}{% endfor %}{% for v in liste %}{{ v }}{% endfor %}"
    )
    assert gabarit.render(Context({"vide": [], "rien": None, "liste": [1, 2]})) == "-12"


@pytest.mark.ignore_template_errors
def test_the_marker_still_allows_a_test_to_render_a_missing_variable():
    assert Template("{% for v in absente %}{{ v }}{% endfor %}").render(Context({})) == ""
