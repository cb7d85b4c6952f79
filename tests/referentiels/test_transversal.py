"""The establishment's transversal référentiel: services (rules, limits, audit), the DDFPT's
page, import/export, and the official code paths that must never show it."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpro.models import AuditLog
from referentiels import services_transversal as st
from referentiels.models import Competence, Critere, Diplome, NatureReferentiel
from referentiels.queries import diplomes_charges
from referentiels.services import (
    ReferentielInvalide,
    charger_referentiel,
    diplome_de_reference,
    document_referentiel,
    previsualiser_referentiel,
)
from tests.referentiels import transversal as tt

pytestmark = pytest.mark.django_db

# middleware (5) + the référentiel, its competences, their criteria with résultats counts
REQUETES_PAGE = 5 + 3


def url(personas, nom, **kwargs):
    return reverse(f"referentiels:{nom}", kwargs={"etab": personas.a.etablissement.slug, **kwargs})


# --- services --------------------------------------------------------------------------------


def test_ajouter_competence_cree_le_referentiel_de_l_etablissement(personas):
    a = personas.a
    comp = st.ajouter_competence(
        a.etablissement,
        code=" aut ",
        intitule="Autonomie",
        criteres=["Organise son travail", "  ", "Demande de l'aide"],
        par=a.ddfpt.user,
    )
    diplome = comp.diplome
    assert diplome.nature == NatureReferentiel.TRANSVERSAL
    assert diplome.etablissement == a.etablissement
    assert comp.code == "AUT"
    assert [c.code for c in comp.criteres.order_by("ordre")] == ["AUT.1", "AUT.2"]
    assert not a.etablissement.diplomes.filter(pk=diplome.pk).exists()
    actions = list(AuditLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["transversal.creer", "transversal.competence_ajouter"]
    # One référentiel per establishment; B gets its own.
    st.ajouter_competence(
        a.etablissement, code="EQU", intitule="Équipe", criteres=["Coopère"], par=a.ddfpt.user
    )
    st.ajouter_competence(
        personas.b.etablissement, code="AUT", intitule="Autonomie", criteres=["x"], par=None
    )
    assert Diplome.objects.filter(nature=NatureReferentiel.TRANSVERSAL).count() == 2


@pytest.mark.parametrize(
    "code, intitule, criteres, message",
    [
        ("", "Autonomie", ["x"], "Indiquez le code"),
        ("A B", "Autonomie", ["x"], "invalide"),
        ("AUT", " ", ["x"], "Indiquez le libellé de la compétence"),
        ("AUT", "Autonomie", [" ", ""], "au moins un critère"),
        ("AUT", "Autonomie", ["x"] * (st.CRITERES_MAX + 1), "au plus"),
    ],
)
def test_ajouter_competence_refuse_sans_rien_ecrire(personas, code, intitule, criteres, message):
    with pytest.raises(ValidationError, match=message):
        st.ajouter_competence(
            personas.a.etablissement,
            code=code,
            intitule=intitule,
            criteres=criteres,
            par=personas.a.ddfpt.user,
        )
    assert not Diplome.objects.filter(nature=NatureReferentiel.TRANSVERSAL).exists()
    assert not AuditLog.objects.exists()


def test_doublon_et_limite_de_competences(personas, monkeypatch):
    a = personas.a
    tt.referentiel(a)
    with pytest.raises(ValidationError, match="existe déjà"):
        st.ajouter_competence(
            a.etablissement, code="aut", intitule="x", criteres=["y"], par=a.ddfpt.user
        )
    monkeypatch.setattr(st, "COMPETENCES_MAX", 2)
    with pytest.raises(ValidationError, match="au plus 2 compétences"):
        st.ajouter_competence(
            a.etablissement, code="NEW", intitule="x", criteres=["y"], par=a.ddfpt.user
        )


def test_modifier_ajouter_deplacer(personas):
    a = personas.a
    tt.referentiel(a)
    aut, equ = tt.competence(a, "AUT"), tt.competence(a, "EQU")
    with pytest.raises(ValidationError, match="existe déjà"):
        st.modifier_competence(aut, code="EQU", intitule="x", par=a.ddfpt.user)
    st.modifier_competence(aut, code="AUTO", intitule="Autonomie au travail", par=a.ddfpt.user)
    aut.refresh_from_db()
    assert (aut.code, aut.intitule) == ("AUTO", "Autonomie au travail")
    log = AuditLog.objects.get(action="transversal.competence_modifier")
    assert log.avant["code"] == "AUT" and log.apres["code"] == "AUTO"

    nouveau = st.ajouter_critere(equ, intitule="Respecte les rôles", par=a.ddfpt.user)
    assert nouveau.code == "EQU.2" and nouveau.ordre == 2
    st.deplacer(nouveau, vers_le_haut=True, par=a.ddfpt.user)
    assert list(equ.criteres.order_by("ordre").values_list("code", flat=True)) == [
        "EQU.2",
        "EQU.1",
    ]
    st.deplacer(equ, vers_le_haut=True, par=a.ddfpt.user)
    ordre = Competence.objects.filter(diplome=equ.diplome).order_by("ordre")
    assert [c.code for c in ordre] == ["EQU", "AUTO"]
    st.deplacer(equ, vers_le_haut=True, par=a.ddfpt.user)  # already first: nothing changes
    assert [c.code for c in ordre.all()] == ["EQU", "AUTO"]


def test_supprimer_critere_refuse_s_il_a_des_resultats_ou_s_il_est_le_dernier(personas):
    from tests.bilans import tableaux_factories as tf

    a = personas.a
    tt.referentiel(a)
    aut1, aut2, equ1 = tt.critere(a, "AUT.1"), tt.critere(a, "AUT.2"), tt.critere(a, "EQU.1")
    with pytest.raises(ValidationError, match="dernier critère"):
        st.supprimer_critere(equ1, par=a.ddfpt.user)
    import datetime

    tf.evaluation(a, date=datetime.date(2025, 3, 1), resultats={(a.apprenant.apprenant, aut1): "3"})
    with pytest.raises(ValidationError, match="déjà des résultats"):
        st.supprimer_critere(aut1, par=a.ddfpt.user)
    assert Critere.objects.filter(pk=aut1.pk).exists()
    st.supprimer_critere(aut2, par=a.ddfpt.user)
    assert not Critere.objects.filter(pk=aut2.pk).exists()
    assert AuditLog.objects.filter(action="transversal.critere_supprimer").count() == 1


def test_desactiver_garde_un_critere_actif(personas):
    a = personas.a
    tt.referentiel(a)
    equ1 = tt.critere(a, "EQU.1")
    with pytest.raises(ValidationError, match="dernier critère actif"):
        st.changer_activite(equ1, actif=False, par=a.ddfpt.user)
    equ = tt.competence(a, "EQU")
    st.changer_activite(equ, actif=False, par=a.ddfpt.user)
    equ.refresh_from_db()
    assert not equ.active
    st.changer_activite(tt.critere(a, "AUT.1"), actif=False, par=a.ddfpt.user)
    assert AuditLog.objects.filter(action="transversal.desactiver").count() == 2


def test_jeu_de_depart_idempotent(personas):
    a = personas.a
    tt.referentiel(a)  # AUT already there: kept as the DDFPT wrote it
    rapport = st.installer_jeu_de_depart(a.etablissement, par=a.ddfpt.user)
    assert "AUT" not in rapport.competences_creees
    assert {"EQU"} & set(rapport.competences_creees) == set()
    assert len(rapport.competences_creees) == len(st.JEU_DE_DEPART) - 2
    assert tt.competence(a, "AUT").intitule == "Autonomie"
    encore = st.installer_jeu_de_depart(a.etablissement, par=a.ddfpt.user)
    assert encore.competences_creees == [] and encore.criteres_crees == 0


def test_export_puis_import_csv_et_json(personas):
    a, b = personas.a, personas.b
    diplome = tt.referentiel(a)
    contenu = st.exporter_csv(diplome)
    assert contenu.startswith("\ufeffcompetence_code;competence_intitule;")
    assert "AUT;Autonomie;AUT.1;Organise son travail" in contenu
    rapport = st.importer(
        b.etablissement, contenu=contenu.encode(), nom_fichier="t.csv", par=b.ddfpt.user
    )
    assert rapport.competences_creees == ["AUT", "EQU"] and rapport.criteres_crees == 3
    ref_b = st.referentiel_de(b.etablissement)
    assert st.exporter_csv(ref_b).split("\r\n")[1:] == contenu.split("\r\n")[1:]
    # JSON (the cpro-referentiel document): a changed label updates, nothing is deleted.
    document = json.loads(st.exporter_json(diplome))
    document["groupes"][0]["competences"][0]["intitule"] = "Autonomie professionnelle"
    document["groupes"][0]["competences"][1]["criteres"] = []
    with pytest.raises(ValidationError, match="aucun critère"):
        st.importer(
            b.etablissement,
            contenu=json.dumps(document).encode(),
            nom_fichier="t.json",
            par=b.ddfpt.user,
        )
    del document["groupes"][0]["competences"][1]
    rapport = st.importer(
        b.etablissement,
        contenu=json.dumps(document).encode(),
        nom_fichier="t.json",
        par=b.ddfpt.user,
    )
    assert rapport.competences_modifiees == ["AUT"]
    assert Competence.objects.filter(diplome=ref_b).count() == 2
    assert AuditLog.objects.filter(action="transversal.import", etablissement=b.etablissement)


def test_import_csv_invalide_n_ecrit_rien(personas):
    a = personas.a
    mauvais = "competence_code;competence_intitule;critere_code;critere_intitule\r\n"
    mauvais += "AUT;Autonomie;;Organise\r\nA B;x;;y\r\nAUT;Autre libellé;;z\r\n"
    with pytest.raises(ValidationError) as exc:
        st.importer(a.etablissement, contenu=mauvais.encode(), nom_fichier="x", par=None)
    messages = " ".join(exc.value.messages)
    assert "Ligne 3" in messages and "Ligne 4 : la compétence AUT a deux libellés" in messages
    with pytest.raises(ValidationError, match="Première ligne attendue"):
        st.importer(a.etablissement, contenu=b"code;x\nA;b", nom_fichier="x", par=None)
    assert not Competence.objects.exists()


# --- official code paths --------------------------------------------------------------------


def test_les_chemins_officiels_ignorent_les_referentiels_transversaux(personas):
    diplome = tt.referentiel(personas.b)
    assert diplome not in diplomes_charges()
    document = document_referentiel(diplome)
    # An official import cannot replace an establishment's transversal référentiel.
    assert any(
        "compétences transversales" in e for e in previsualiser_referentiel(document).erreurs
    )
    with pytest.raises(ReferentielInvalide):
        charger_referentiel(document)
    assert diplome_de_reference(document) is None


def test_page_administration_et_export_tableur_d_un_transversal_404(as_persona, personas):
    diplome = tt.referentiel(personas.b)
    client = as_persona("ddfpt")
    html = client.get(url(personas, "administration")).content.decode()
    assert diplome.intitule not in html
    assert "Compétences transversales de l'établissement" in html
    response = client.post(url(personas, "exporter_tableur", diplome_id=diplome.pk))
    assert response.status_code == 404


# --- the DDFPT's page ------------------------------------------------------------------------


def test_page_vide_puis_ajout(as_persona, personas):
    client = as_persona("ddfpt")
    html = client.get(url(personas, "transversal")).content.decode()
    assert "aucune compétence transversale" in html and "pas un contenu officiel" in html
    response = client.post(
        url(personas, "transversal"),
        {"code": "COM", "intitule": "Communication", "criteres": "S'exprime\nÉcoute"},
    )
    assert response.status_code == 302
    comp = Competence.objects.get(code="COM")
    assert comp.diplome.etablissement == personas.a.etablissement
    html = client.get(url(personas, "transversal")).content.decode()
    assert "Communication" in html and "COM.2" in html
    response = client.post(url(personas, "transversal"), {"code": "", "intitule": ""})
    assert response.status_code == 400


def test_actions_de_la_page(as_persona, personas):
    a = personas.a
    tt.referentiel(a)
    client = as_persona("ddfpt")
    equ = tt.competence(a, "EQU")
    client.post(url(personas, "transversal_competence", pk=equ.pk), {"action": "critere"})
    assert equ.criteres.count() == 1  # empty label refused
    client.post(
        url(personas, "transversal_competence", pk=equ.pk),
        {"action": "critere", "intitule": "Partage l'information"},
    )
    assert equ.criteres.count() == 2
    cr = tt.critere(a, "EQU.2")
    client.post(
        url(personas, "transversal_critere", pk=cr.pk),
        {"action": "modifier", "intitule": "Partage les informations utiles"},
    )
    cr.refresh_from_db()
    assert cr.intitule == "Partage les informations utiles"
    response = client.post(url(personas, "transversal_critere", pk=cr.pk), {"action": "supprimer"})
    assert response.status_code == 302 and not Critere.objects.filter(pk=cr.pk).exists()
    seul = tt.critere(a, "EQU.1")
    response = client.post(
        url(personas, "transversal_critere", pk=seul.pk), {"action": "supprimer"}, follow=True
    )
    assert "dernier critère" in response.content.decode()


def test_import_et_export_par_la_page(as_persona, personas):
    client = as_persona("ddfpt")
    csv = (
        "competence_code;competence_intitule;critere_code;critere_intitule\n"
        "PON;Ponctualité;;Arrive à l'heure\n"
    )
    fichier = SimpleUploadedFile("t.csv", csv.encode(), content_type="text/csv")
    response = client.post(url(personas, "transversal_importer"), {"fichier": fichier})
    assert response.status_code == 302
    assert Competence.objects.filter(code="PON").exists()
    response = client.get(url(personas, "transversal_exporter"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "PON;Ponctualité;PON.1;Arrive à l'heure" in response.content.decode("utf-8")
    response = client.get(url(personas, "transversal_exporter"), {"format": "json"})
    assert json.loads(response.content)["groupes"][0]["competences"][0]["code"] == "PON"


def test_objets_d_un_autre_etablissement_404(as_persona, personas):
    tt.referentiel(personas.b)
    client = as_persona("ddfpt")
    comp, cr = tt.competence(personas.b), tt.critere(personas.b)
    r1 = client.post(url(personas, "transversal_competence", pk=comp.pk), {"action": "monter"})
    r2 = client.post(url(personas, "transversal_critere", pk=cr.pk), {"action": "supprimer"})
    assert (r1.status_code, r2.status_code) == (404, 404)
    assert Critere.objects.filter(pk=cr.pk).exists()


def test_page_nombre_de_requetes_constant(as_persona, personas, django_assert_num_queries):
    a = personas.a
    tt.referentiel(a)
    client = as_persona("ddfpt")
    client.get(url(personas, "transversal"))
    with django_assert_num_queries(REQUETES_PAGE):
        client.get(url(personas, "transversal"))
    st.installer_jeu_de_depart(a.etablissement, par=a.ddfpt.user)
    with django_assert_num_queries(REQUETES_PAGE):
        response = client.get(url(personas, "transversal"))
    assert len(response.context["competences"]) == len(st.JEU_DE_DEPART)  # AUT, EQU kept
