"""LSL Pro pages: the persona checklist of every mutating view (success + DB state, other
establishment 404, wrong role 403, anonymous → login), the gate messages, prev/next saving."""

import pytest
from django.urls import reverse

from cpro.models import AuditLog
from lslpro import services
from lslpro.models import Livret, Periodicite
from tests.lslpro import lsl_factories as lf
from tests.personas import login


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def url_livret(personas, apprenant):
    return url(personas, "lslpro:livret", pk=apprenant.pk)


def donnees(lsl, **extra):
    a = lsl.side
    c1, c2, c3 = lsl.competences
    b1, b2, _ = lsl.bilans
    data = {
        f"niveau_{c1.pk}": "3",
        f"niveau_{c2.pk}": "NE",
        f"niveau_{c3.pk}": "4",
        f"periode_{b1.pk}": "T1",
        f"periode_{b2.pk}": "T2",
        "appreciation": "Élève sérieux et investi.",
        "enseignants": [a.enseignant.user.pk],
        "pfmp_active": "on",
        "pfmp_synthese": "Accueil, conseil, encaissement.",
        "pfmp_enseignant": "LAMBERT Sophie",
        "pfmp_semaines": "6",
        "chef_oeuvre_note": "14,5",
        "action": "enregistrer",
    }
    data.update(extra)
    return data


# --- the livret -------------------------------------------------------------------------------


def test_livret_get_affiche_colonnes_periodes_et_completude(client, personas, lsl):
    from tests.bilans import bilans_factories as bf

    ancien = bf.bilan_valide(personas.a, niveaux={lf.codes(lsl.competences[2])[0]: "2"})
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.get(url_livret(personas, lsl.apprenant))
    assert response.status_code == 200
    html = response.content.decode()
    colonnes = response.context["colonnes"]
    assert [c["colonne"].bilan for c in colonnes] == [ancien, *lsl.bilans]
    # Only the current year's columns carry the period select.
    assert colonnes[0]["periode"] is None and all(c["periode"] for c in colonnes[1:])
    assert "Note pour l&#x27;export" in html or "Note pour l'export" in html
    assert "12,50" in html or "12,5" in html  # decimal comma
    assert f'name="periode_{lsl.bilans[2].pk}"' in html and "disabled" in html
    assert "Complétude : 0 %" in html
    assert "insuffisamment maîtrisée" in html  # symbol + label, never colour alone
    assert 'data-recopie="3"' in html


def test_livret_post_enregistre(client, personas, lsl):
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.post(url_livret(personas, lsl.apprenant), donnees(lsl))
    assert response.status_code == 302
    assert response["Location"] == url_livret(personas, lsl.apprenant)
    livret = Livret.objects.get(apprenant=lsl.apprenant)
    assert livret.appreciation == "Élève sérieux et investi."
    assert livret.pfmp_active and livret.pfmp_semaines == 6
    assert str(livret.chef_oeuvre_note) == "14.50"
    assert sorted(livret.notes.values_list("periode", flat=True)) == ["T1", "T2"]
    assert AuditLog.objects.filter(action="lsl.livret.enregistrer").count() == 1
    page = client.get(url_livret(personas, lsl.apprenant)).content.decode()
    assert "Complétude : 100 %" in page and "14,5" in page


def test_livret_post_erreurs_du_service_affichees(client, personas, lsl):
    login(client, personas.a.enseignant, personas.a.diplome)
    b1, b2, _ = lsl.bilans
    data = donnees(lsl, **{f"periode_{b1.pk}": "T2", f"periode_{b2.pk}": "T1"})
    data["appreciation"] = "a" * 301
    response = client.post(url_livret(personas, lsl.apprenant), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "chronologie des bilans" in html and "300 caractères" in html
    assert not Livret.objects.exists()


def test_precedent_suivant_enregistrent_avant_de_changer_d_eleve(client, personas, lsl):
    a = personas.a
    autres = lf.eleves(a, 3)
    for e in autres[:2]:
        lf.bilan(a, 30, apprenant=e)  # autres[2] has no bilan: skipped by prev/next
    ordre = sorted(
        [lsl.apprenant, *autres[:2]], key=lambda e: (e.user.last_name, e.user.first_name, e.pk)
    )
    i = ordre.index(lsl.apprenant)
    login(client, a.enseignant, a.diplome)
    response = client.get(url_livret(personas, lsl.apprenant))
    voisins = (response.context["precedent"], response.context["suivant"])
    assert voisins == (
        ordre[i - 1].pk if i > 0 else None,
        ordre[i + 1].pk if i + 1 < len(ordre) else None,
    )
    action, cible = ("suivant", ordre[i + 1]) if i + 1 < len(ordre) else ("precedent", ordre[i - 1])
    response = client.post(url_livret(personas, lsl.apprenant), donnees(lsl, action=action))
    assert response.status_code == 302 and response["Location"] == url_livret(personas, cible)
    assert Livret.objects.get(apprenant=lsl.apprenant).appreciation  # saved first
    # A refused save does not move.
    response = client.post(
        url_livret(personas, lsl.apprenant), donnees(lsl, action=action, appreciation="a" * 301)
    )
    assert response.status_code == 200


def test_recopie_sans_javascript(client, personas, lsl):
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.post(url_livret(personas, lsl.apprenant), donnees(lsl, action="recopie"))
    assert response.status_code == 302
    niveaux = set(Livret.objects.get().niveaux.values_list("niveau", flat=True))
    assert niveaux == {"3"}  # the last bilan's levels, not the posted ones


def test_copier_constat_sans_javascript(client, personas, lsl):
    lsl.bilans[2].constats = "Un constat de fin d'année."
    lsl.bilans[2].save()
    login(client, personas.a.enseignant, personas.a.diplome)
    page = client.get(url_livret(personas, lsl.apprenant)).content.decode()
    assert "Copier le constat du bilan" in page
    client.post(url_livret(personas, lsl.apprenant), donnees(lsl, action="copier_constat"))
    livret = Livret.objects.get()
    assert livret.chef_oeuvre_appreciation == "Un constat de fin d'année."


@pytest.mark.parametrize("persona", ["chef", "tuteur", "apprenant", "apprenti"])
def test_livret_post_mauvais_role_403(client, personas, lsl, persona):
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if persona == "chef" else None)
    response = client.post(url_livret(personas, lsl.apprenant), donnees(lsl))
    assert response.status_code == 403
    assert not Livret.objects.exists()


def test_livret_autre_etablissement_404(client, personas, lsl):
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(
        reverse(
            "lslpro:livret", kwargs={"etab": personas.b.etablissement.slug, "pk": lsl.apprenant.pk}
        ),
        donnees(lsl),
    )
    assert response.status_code == 404
    assert not Livret.objects.exists()


def test_livret_autre_diplome_404(client, personas, lsl):
    login(client, personas.a.enseignant2, personas.a.diplome2)
    assert client.get(url_livret(personas, lsl.apprenant)).status_code == 404


def test_livret_anonyme_vers_connexion(client, personas, lsl):
    response = client.post(url_livret(personas, lsl.apprenant), donnees(lsl))
    assert response.status_code == 302 and "?next=" in response["Location"]


def test_apprenti_indisponible(client, personas, lsl):
    apprenti = personas.a.apprenti.apprenant
    lf.bilan(personas.a, 30, apprenant=apprenti)
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.get(url_livret(personas, apprenti))
    assert response.status_code == 200
    assert "apprentis ne sont pas soumis" in response.content.decode()
    assert "form" not in response.context
    response = client.post(url_livret(personas, apprenti), {"appreciation": "x"})
    assert response.status_code == 200 and not Livret.objects.exists()


def test_sans_periodicite_indisponible(client, personas):
    a = personas.a
    lf.bilan(a, 30)
    login(client, a.enseignant, a.diplome)
    html = client.get(url_livret(personas, a.apprenant.apprenant)).content.decode()
    assert "n&#x27;a pas encore été définie" in html or "n'a pas encore été définie" in html


# --- the list ---------------------------------------------------------------------------------


def test_saisie_liste_scolaires_et_apprentis(client, personas, lsl):
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.get(url(personas, "lslpro:saisie"), {"division": personas.a.division.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert url_livret(personas, lsl.apprenant) in html
    assert url_livret(personas, personas.a.apprenti.apprenant) not in html
    assert "Apprenti : non soumis au LSL" in html


def test_saisie_sans_periodicite_message(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    html = client.get(url(personas, "lslpro:saisie")).content.decode()
    assert "aucune saisie n&#x27;est possible" in html or "aucune saisie n'est possible" in html


# --- périodicité ------------------------------------------------------------------------------


def test_periodicite_post(client, personas):
    a = personas.a
    login(client, a.ddfpt, a.diplome)
    cle = f"p_{a.diplome.pk}_PREMIERE"
    response = client.get(url(personas, "lslpro:periodicite"))
    assert cle in response.content.decode()
    response = client.post(url(personas, "lslpro:periodicite"), {cle: "S"})
    assert response.status_code == 302
    per = Periodicite.objects.get()
    assert (per.diplome, per.niveau, per.type) == (a.diplome, "PREMIERE", "S")
    assert AuditLog.objects.filter(action="lsl.periodicite").count() == 1


def test_periodicite_refus_affiche(client, personas, lsl):
    a = personas.a
    services.enregistrer_livret(
        lsl.apprenant,
        services.Saisie(periodes={lsl.bilans[0].pk: "T1"}),
        par=a.enseignant.user,
        annee=lsl.annee,
    )
    login(client, a.chef, a.diplome)
    response = client.post(url(personas, "lslpro:periodicite"), {f"p_{a.diplome.pk}_PREMIERE": "S"})
    assert response.status_code == 200
    assert "ne peut plus changer" in response.content.decode()


@pytest.mark.parametrize("persona", ["enseignant", "tuteur", "apprenant"])
def test_periodicite_post_mauvais_role_403(client, personas, persona):
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if persona == "enseignant" else None)
    response = client.post(
        url(personas, "lslpro:periodicite"), {f"p_{personas.a.diplome.pk}_PREMIERE": "T"}
    )
    assert response.status_code == 403
    assert not Periodicite.objects.exists()


def test_periodicite_post_autre_etablissement_404(client, personas):
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(
        url(personas, "lslpro:periodicite"), {f"p_{personas.a.diplome.pk}_PREMIERE": "T"}
    )
    assert response.status_code == 404
    assert not Periodicite.objects.exists()


def test_periodicite_anonyme(client, personas):
    response = client.post(url(personas, "lslpro:periodicite"), {})
    assert response.status_code == 302 and "?next=" in response["Location"]


# --- completeness overview --------------------------------------------------------------------


def test_completude_chef_lit(client, personas, lsl):
    a = personas.a
    services.enregistrer_livret(
        lsl.apprenant,
        services.Saisie(appreciation="Bien."),
        par=a.enseignant.user,
        annee=lsl.annee,
    )
    login(client, a.chef, a.diplome)
    response = client.get(url(personas, "lslpro:completude"), {"division": a.division.pk})
    assert response.status_code == 200
    lignes = response.context["lignes"]
    assert [ligne.apprenant for ligne in lignes] == [lsl.apprenant]  # the apprentice is not listed
    assert lignes[0].completude.pourcentage == 25
    html = response.content.decode()
    assert "Au moins un enseignant pour la spécialité" in html
    assert url_livret(personas, lsl.apprenant) not in html  # the chef does not enter livrets
