"""Issue 15: the suggestion of the bilan form is tied to its select (aria-describedby), and a
unit + competence filter that match nothing on the dashboard says why, with a reset link."""

import re

import pytest
from django.urls import reverse

from bilans import services_bilans
from tests.bilans import bilans_factories as bf
from tests.bilans import tableaux_factories as tf

pytestmark = pytest.mark.django_db


def url(personas, name, **kwargs):
    return reverse(f"bilans:{name}", kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def test_chaque_select_est_decrit_par_sa_suggestion(client, personas, as_persona):
    a = personas.a
    ref = bf.referentiel(a)
    bf.evaluation(a, {ref[0]: "3"})
    bilan = services_bilans.creer_bilan(a.apprenant.apprenant, par=a.enseignant.user, date=bf.DATE)
    as_persona("enseignant")
    html = client.get(url(personas, "bilan_modifier", pk=bilan.pk)).content.decode()
    selects = re.findall(r'<select name="niveau_\d+" id="([^"]+)"[^>]*>', html)
    assert len(selects) == bilan.positionnements.count() == 2
    for ident in selects:
        balise = re.search(rf'<select name="niveau_\d+" id="{ident}"[^>]*>', html).group(0)
        assert f'aria-describedby="suggestion-{ident}"' in balise
        suggestion = re.search(
            rf'<span class="bilan-suggestion" id="suggestion-{ident}">(.*?)</span>\s*(?=\n)',
            html,
            re.S,
        )
        assert suggestion and "Suggéré" in suggestion.group(1)
    # The choice saved on the positionnement is selected.
    assert html.count(" selected>") >= 2


def test_select_en_erreur_decrit_aussi_par_son_erreur(client, personas, as_persona):
    a = personas.a
    ref = bf.referentiel(a)
    bilan = bf.bilan(a)
    c1, c2 = ref[0].competence, ref[2].competence
    as_persona("enseignant")
    r = client.post(
        url(personas, "bilan_modifier", pk=bilan.pk),
        {"date": "20/01/2026", f"niveau_{c1.pk}": "3", f"niveau_{c2.pk}": "9"},
    )
    html = r.content.decode()
    ident = f"id_niveau_{c2.pk}"
    balise = re.search(rf'<select name="niveau_{c2.pk}"[^>]*>', html).group(0)
    assert f'aria-describedby="suggestion-{ident} erreurs-{ident}"' in balise
    assert 'aria-invalid="true"' in balise
    assert f'id="erreurs-{ident}"' in html


def test_filtres_unite_et_competence_incompatibles(as_persona, personas):
    a = personas.a
    ref = tf.referentiel(a.diplome)
    eleve = a.apprenant.apprenant
    tf.evaluation(a, date=bf.DATE, resultats={(eleve, ref["par_unite"]["U2"][0]): "3"})
    competence_u2 = ref["competences"][0]
    html = (
        as_persona("enseignant")
        .get(
            url(personas, "tableau"),
            {"apprenant": eleve.pk, "unite": "U31", "competence": competence_u2.code},
        )
        .content.decode()
    )
    assert (
        f"Aucune compétence ne correspond : la compétence {competence_u2.code} "
        "n'appartient pas à l'unité U31."
    ) in html
    assert f'<a href="?apprenant={eleve.pk}">Réinitialiser les filtres</a>' in html
    # The generic message stays for a single filter.
    html = (
        as_persona("enseignant")
        .get(url(personas, "tableau"), {"apprenant": eleve.pk, "unite": "U31"})
        .content.decode()
    )
    assert "Aucune compétence ne correspond" not in html


def test_filtres_incompatibles_vue_compacte_et_mon_tableau(client, as_persona, personas):
    a = personas.a
    ref = tf.referentiel(a.diplome)
    eleve = a.apprenant.apprenant
    code = ref["competences"][0].code
    html = (
        as_persona("enseignant")
        .get(
            url(personas, "tableau"),
            {"apprenant": eleve.pk, "unite": "U31", "competence": code, "vue": "compacte"},
        )
        .content.decode()
    )
    assert f'<a href="?apprenant={eleve.pk}&amp;vue=compacte">Réinitialiser les filtres</a>' in html
    html = (
        as_persona("apprenant")
        .get(url(personas, "mon_tableau"), {"unite": "U31", "competence": code})
        .content.decode()
    )
    assert "Aucune compétence ne correspond" in html
    assert '<a href="?">Réinitialiser les filtres</a>' in html
