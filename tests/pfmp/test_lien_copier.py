"""Issue 15: the tutor link just created is shown once in a read-only field with a « Copier le
lien » button (copier_lien.js) and a polite live status, then never again."""

import re

import pytest
from django.urls import reverse

from pfmp.models import LienTuteur
from tests.pfmp import portfolio_factories as pf

pytestmark = pytest.mark.django_db


def _url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def test_lien_affiche_une_fois_avec_bouton_copier(client, personas, as_persona):
    aff = pf.de_persona(personas)
    as_persona("enseignant")
    r = client.post(
        _url(personas, "pfmp:lien_creer", pk=aff.pk), {"duree_jours": "15"}, follow=True
    )
    page = r.content.decode()
    assert LienTuteur.objects.filter(affectation=aff).count() == 1
    champ = re.search(r'<input type="text" id="lien-tuteur-nouveau" value="([^"]+)" readonly', page)
    assert champ and "/pfmp/acces-tuteur/" in champ.group(1)
    assert 'data-copier="lien-tuteur-nouveau"' in page and ">Copier le lien</button>" in page
    assert '<p class="pf-lien-copie-statut" id="lien-tuteur-statut" aria-live="polite">' in page
    assert "cpro/js/copier_lien.js" in page
    # The URL is not in the flash message any more, and is gone at the next display.
    assert page.count(champ.group(1)) == 1
    suivante = client.get(_url(personas, "pfmp:portfolio", pk=aff.pk)).content.decode()
    assert "lien-tuteur-nouveau" not in suivante and "/pfmp/acces-tuteur/" not in suivante


def test_le_lien_n_apparait_pas_sur_un_autre_portfolio(client, personas, as_persona):
    aff = pf.de_persona(personas)
    autre = pf.affectation(aff.periode, personas.a.apprenti.apprenant)
    as_persona("enseignant")
    client.post(_url(personas, "pfmp:lien_creer", pk=aff.pk), {"duree_jours": "15"})
    page = client.get(_url(personas, "pfmp:portfolio", pk=autre.pk)).content.decode()
    assert "lien-tuteur-nouveau" not in page
    page = client.get(_url(personas, "pfmp:portfolio", pk=aff.pk)).content.decode()
    assert "lien-tuteur-nouveau" in page
