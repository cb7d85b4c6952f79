"""The .scpro exchange: round trip between two establishments, hostile files, unknown codes."""

import io
import os
import struct
import zipfile

import pytest
from django.conf import settings

from cpro.models import AuditLog
from referentiels.models import Niveau
from scenarios import echange
from scenarios.echange import ScproInvalide, analyser_scpro, construire_scpro, importer_scpro
from scenarios.models import Ressource, Scenario
from tests.factories import DiplomeFactory
from tests.scenarios.echange_factories import (
    PDF,
    manifeste,
    scenario_complet,
    scpro,
    zipper,
)

pytestmark = pytest.mark.django_db


def _fichiers_media() -> set[str]:
    found = set()
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found.update(os.path.join(root, f) for f in files)
    return found


def _importer(personas, data, side="b"):
    s = getattr(personas, side)
    return importer_scpro(data, etablissement=s.etablissement, par=s.enseignant.user)


# --- Round trip ---------------------------------------------------------------------------


@pytest.mark.usefixtures("referentiels_charges")
def test_aller_retour_entre_deux_etablissements(personas):
    source = scenario_complet(personas.a)
    data = construire_scpro(source)

    apercu = analyser_scpro(data, etablissement=personas.b.etablissement)
    assert apercu.valide, apercu.erreurs
    assert apercu.taches_inconnues == [] and apercu.criteres_inconnus == []

    copie = _importer(personas, data)
    assert copie.pk != source.pk
    assert copie.etablissement == personas.b.etablissement
    assert copie.auteur == personas.b.enseignant.user
    assert copie.prive is False and copie.dossier is None
    assert copie.origine == f"Lycée professionnel a (UAI {personas.a.etablissement.uai})"
    assert copie.diplome == source.diplome
    for champ in ("titre", "contexte", "niveau"):
        assert getattr(copie, champ) == getattr(source, champ), champ

    def codes(s):
        return (
            sorted(s.taches.values_list("code", flat=True)),
            sorted(s.criteres.values_list("competence__code", "code")),
        )

    assert codes(copie) == codes(source)
    assert codes(copie)[0] == ["A1-T2", "A2-T3"]

    def ressources(s):
        out = []
        for r in s.ressources.order_by("ordre"):
            contenu = r.fichier.read() if r.fichier else b""
            out.append((r.type, r.titre, r.url, r.nom_fichier, r.content_type, r.taille, contenu))
        return out

    assert ressources(copie) == ressources(source)
    assert [r[0] for r in ressources(copie)] == ["LIEN", "FICHIER", "FICHIER"]
    fichier = copie.ressources.get(titre="Consignes").fichier
    assert fichier.name.startswith(f"scenarios/{personas.b.etablissement.pk}/{copie.pk}/")
    assert fichier.read() == PDF

    entree = AuditLog.objects.get(action="scenario.import")
    assert entree.etablissement == personas.b.etablissement
    assert entree.acteur == personas.b.enseignant.user
    assert entree.objet_id == str(copie.pk)
    assert entree.apres["origine"] == copie.origine
    assert entree.apres["codes_ignores"] == []


@pytest.mark.usefixtures("referentiels_charges")
def test_le_fichier_exporte_est_reimportable_dans_son_etablissement(personas):
    source = scenario_complet(personas.a)
    copie = _importer(personas, construire_scpro(source), side="a")
    assert copie.etablissement == personas.a.etablissement
    assert Scenario.objects.filter(titre=source.titre).count() == 2


@pytest.mark.usefixtures("referentiels_charges")
def test_apercu_decrit_ce_qui_sera_cree(personas):
    apercu = analyser_scpro(scpro(), etablissement=personas.a.etablissement)
    assert apercu.valide, apercu.erreurs
    assert apercu.titre == "Accueil du client"
    assert apercu.niveau_libelle == "Première"
    assert apercu.origine == "Lycée professionnel b (UAI 0690002C)"
    assert [t.code for t in apercu.taches] == ["A1-T2"]
    assert [(c.competence.code, c.code) for c in apercu.criteres] == [("C1.2", "C1.2-1")]
    assert [(r.type, r.titre, r.taille) for r in apercu.ressources] == [
        ("LIEN", "Fiche métier", 0),
        ("FICHIER", "Consignes", len(PDF)),
    ]
    assert apercu.resume().startswith("1 tâche(s), 1 critère(s) d'évaluation, 2 ressource(s)")
    assert not Scenario.objects.exists()


@pytest.mark.usefixtures("referentiels_charges")
def test_codes_inconnus_signales_puis_ignores(personas):
    data = scpro(
        taches=["A1-T2", "Z9-T9", "A1-T2"],
        criteres=[
            {"competence": "C1.2", "code": "C1.2-1"},
            {"competence": "C9.9", "code": "C9.9-1"},
            {"competence": "C1.2", "code": "C1.2-99"},
            {"competence": "C2.3", "code": "C1.2-1"},  # right code, wrong competence
        ],
    )
    apercu = analyser_scpro(data, etablissement=personas.a.etablissement)
    assert apercu.valide, apercu.erreurs
    assert apercu.taches_inconnues == ["Z9-T9"]
    assert apercu.criteres_inconnus == ["C9.9 / C9.9-1", "C1.2 / C1.2-99", "C2.3 / C1.2-1"]
    assert "4 code(s) inconnu(s) de votre référentiel seront ignorés" in apercu.resume()

    scenario = _importer(personas, data, side="a")
    assert list(scenario.taches.values_list("code", flat=True)) == ["A1-T2"]
    assert list(scenario.criteres.values_list("code", flat=True)) == ["C1.2-1"]
    entree = AuditLog.objects.get(action="scenario.import")
    assert entree.apres["codes_ignores"] == [
        "Z9-T9",
        "C9.9 / C9.9-1",
        "C1.2 / C1.2-99",
        "C2.3 / C1.2-1",
    ]


# --- Hostile and invalid files: refused, nothing written -----------------------------------


def _mentir_sur_la_taille(data: bytes, nom: str, taille: int) -> bytes:
    """Rewrite the uncompressed size declared for `nom` in the central directory."""
    data = bytearray(data)
    debut = data.find(b"PK\x01\x02" + b"", 0)
    while debut != -1:
        longueur_nom = struct.unpack_from("<H", data, debut + 28)[0]
        if data[debut + 46 : debut + 46 + longueur_nom] == nom.encode():
            struct.pack_into("<I", data, debut + 24, taille)
            return bytes(data)
        debut = data.find(b"PK\x01\x02", debut + 4)
    raise AssertionError(nom)


def _lien_symbolique() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", "{}")
        info = zipfile.ZipInfo("ressources/1-lien.pdf")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _doublon() -> bytes:
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr("manifest.json", "{}")
    return buffer.getvalue()


def _fichier(chemin, content_type, titre="Document"):
    return {"type": "FICHIER", "titre": titre, "fichier": chemin, "content_type": content_type}


def _ressource(**kw):
    base = {"type": "LIEN", "titre": "Lien", "url": "https://exemple.fr/"}
    return manifeste(ressources=[{**base, **kw}])


BOMBE = "anormalement volumineux"
CHEMIN = "chemin interdit"
ACTIF = "contenu actif interdit"
HTTP = "seuls les liens http:// et https:// sont acceptés"
TYPE_FICHIER = "type de fichier non pris en charge"

HOSTILES = {
    "vide": (lambda: b"", "Le fichier est vide."),
    "pas_un_zip": (lambda: b"Bonjour, je suis un texte.", "n'est pas une archive .scpro lisible"),
    "zip_tronque": (lambda: scpro()[:200], "n'est pas une archive .scpro lisible"),
    "bombe_taux": (
        lambda: zipper(
            {"manifest.json": manifeste(), "ressources/2-consignes.pdf": b"\0" * 5_000_000}
        ),
        BOMBE,
    ),
    "taille_declaree_mensongere": (
        lambda: _mentir_sur_la_taille(scpro(), "ressources/2-consignes.pdf", 10),
        "n'est pas une archive .scpro lisible",
    ),
    "trop_d_entrees": (
        lambda: zipper({"manifest.json": {}, **{f"ressources/{i}-a.txt": "x" for i in range(100)}}),
        "trop d'éléments (101 ; 100 au maximum)",
    ),
    "remontee_de_chemin": (lambda: zipper({"manifest.json": {}, "../evil.txt": "x"}), CHEMIN),
    "remontee_dans_ressources": (
        lambda: zipper({"manifest.json": {}, "ressources/../../evil.txt": "x"}),
        CHEMIN,
    ),
    "chemin_absolu": (lambda: zipper({"manifest.json": {}, "/etc/cron.d/x": "x"}), CHEMIN),
    "lecteur_windows": (lambda: zipper({"manifest.json": {}, "C:/x.txt": "x"}), CHEMIN),
    "antislash": (lambda: zipper({"manifest.json": {}, "ressources\\1-a.txt": "x"}), CHEMIN),
    "lien_symbolique": (_lien_symbolique, "lien symbolique"),
    "entree_en_double": (_doublon, "deux fois l'élément « manifest.json »"),
    "entree_inattendue": (
        lambda: scpro(fichiers={"ressources/2-consignes.pdf": PDF, "script.js": "alert(1)"}),
        "Élément inattendu dans le fichier : « script.js »",
    ),
    "ressource_non_referencee": (
        lambda: scpro(fichiers={"ressources/2-consignes.pdf": PDF, "ressources/9-x.pdf": PDF}),
        "Élément inattendu dans le fichier : « ressources/9-x.pdf »",
    ),
    "dossier_inattendu": (
        lambda: zipper({"manifest.json": manifeste(), "autre/": b""}),
        "Élément inattendu",
    ),
    "sans_manifeste": (
        lambda: zipper({"ressources/1-a.txt": "x"}),
        "ne contient pas de manifest.json",
    ),
    "json_invalide": (
        lambda: zipper({"manifest.json": "{pas du json"}),
        "n'est pas un document JSON valide",
    ),
    "json_nan": (
        lambda: zipper({"manifest.json": '{"format": NaN}'}),
        "n'est pas un document JSON valide",
    ),
    "json_imbrique": (
        lambda: zipper({"manifest.json": "[" * 100_000 + "]" * 100_000}),
        "n'est pas un document JSON valide",
    ),
    "pas_utf8": (
        lambda: zipper({"manifest.json": '{"titre": "é"}'.encode("latin-1")}),
        "n'est pas encodé en UTF-8",
    ),
    "pas_un_objet": (lambda: zipper({"manifest.json": [1, 2]}), "doit être un objet JSON"),
    "mauvais_format": (
        lambda: scpro(format="cpro-referentiel"),
        "n'est pas un scénario Cpro (format « cpro-referentiel » au lieu de « cpro-scenario »)",
    ),
    "format_absent": (
        lambda: scpro(m={k: v for k, v in manifeste().items() if k != "format"}),
        "n'est pas un scénario Cpro",
    ),
    "version_future": (
        lambda: scpro(version=3),
        "version 3 du format .scpro, que cette version de Cpro ne sait pas lire",
    ),
    "version_texte": (lambda: scpro(version="1"), "version du format .scpro est absente"),
    "diplome_inconnu": (
        lambda: scpro(diplome={"code": "CAP-XYZ", "version": "2020", "intitule": "CAP XYZ"}),
        "Le diplôme « CAP XYZ » (code CAP-XYZ, version 2020) n'est pas chargé dans Cpro",
    ),
    "diplome_absent": (lambda: scpro(diplome=None), "Diplôme absent."),
    "niveau_inconnu": (lambda: scpro(niveau="CAP"), "Niveau « CAP » inconnu"),
    "origine_invalide": (
        lambda: scpro(etablissement_origine={"uai": "X", "nom": "Lycée"}),
        "UAI invalide",
    ),
    "origine_lettre_cle": (
        # 0690002 → C: a UAI with a wrong check letter is refused, not printed as the origin.
        lambda: scpro(etablissement_origine={"uai": "0690002D", "nom": "Lycée"}),
        "UAI invalide (7 chiffres et la lettre clé correspondante)",
    ),
    "date_invalide": (lambda: scpro(exporte_le="demain"), "Date d'export invalide"),
    "ressource_trop_grosse": (
        lambda: zipper(
            {
                "manifest.json": manifeste(),
                "ressources/2-consignes.pdf": os.urandom(10 * 2**20 + 1),
            },
            compression=zipfile.ZIP_STORED,
        ),
        "La ressource « ressources/2-consignes.pdf » dépasse la taille maximale de 10 Mo.",
    ),
    "type_de_ressource": (
        lambda: scpro(fichiers={}, ressources=[{"type": "VIDEO", "titre": "Film", "url": "x"}]),
        "Ressource « Film » : type de ressource non pris en charge (« VIDEO »",
    ),
    "fichier_html": (
        lambda: scpro(
            fichiers={"ressources/1-page.html": "<html></html>"},
            ressources=[
                {
                    "type": "FICHIER",
                    "titre": "Page",
                    "fichier": "ressources/1-page.html",
                    "content_type": "text/html",
                }
            ],
        ),
        TYPE_FICHIER,
    ),
    "pdf_deguise_en_html": (
        lambda: scpro(
            ressources=[
                {
                    "type": "FICHIER",
                    "titre": "Consignes",
                    "fichier": "ressources/2-consignes.pdf",
                    "content_type": "text/html",
                }
            ],
        ),
        TYPE_FICHIER,
    ),
    "pdf_qui_n_en_est_pas_un": (
        lambda: scpro(fichiers={"ressources/2-consignes.pdf": "<html><script>x</script>"}),
        "le contenu du fichier ne correspond pas à son type (.pdf)",
    ),
    "odt_sans_mimetype": (
        lambda: scpro(
            fichiers={"ressources/1-a.odt": zipper({"content.xml": "<x/>"})},
            ressources=[_fichier("ressources/1-a.odt", "application/vnd.oasis.opendocument.text")],
        ),
        "le contenu du fichier ne correspond pas à son type (.odt)",
    ),
    "fichier_absent": (
        lambda: scpro(fichiers={}),
        "le fichier « ressources/2-consignes.pdf » est absent de l'archive",
    ),
    "fichier_chemin_invalide": (
        lambda: scpro(
            fichiers={},
            ressources=[
                {
                    "type": "FICHIER",
                    "titre": "X",
                    "fichier": "../manifest.json",
                    "content_type": "application/pdf",
                }
            ],
        ),
        "chemin de fichier invalide",
    ),
    "titre_trop_long": (lambda: scpro(titre="T" * 256), "256 caractères, 255 au maximum"),
    "titre_vide": (lambda: scpro(titre="   "), "Titre du scénario : valeur obligatoire."),
    "titre_pas_texte": (lambda: scpro(titre=["x"]), "Titre du scénario : texte attendu."),
    "contexte_trop_long": (lambda: scpro(contexte="x" * 20_001), "20001 caractères"),
    "trop_de_ressources": (
        lambda: scpro(fichiers={}, ressources=_ressource()["ressources"] * 31),
        "Ressources : liste attendue (30 au maximum).",
    ),
    "trop_de_taches": (lambda: scpro(taches=["A1-T1"] * 301), "Tâches : liste de codes"),
    "code_trop_long": (lambda: scpro(taches=["A" * 41]), "Tâche n° 1 : code : 41 caractères"),
    "script_dans_le_titre": (lambda: scpro(titre="<script>alert(1)</script>"), ACTIF),
    "script_dans_le_contexte": (lambda: scpro(contexte="Bonjour\n<SCRIPT src=x>"), ACTIF),
    "gestionnaire_dans_le_contexte": (
        lambda: scpro(contexte='Voir <img src="x" onerror="alert(1)">'),
        ACTIF,
    ),
    "gestionnaire_seul": (lambda: scpro(titre="Titre onload=alert(1)"), ACTIF),
    "javascript_dans_le_texte": (lambda: scpro(contexte="Cliquez javascript:alert(1)"), ACTIF),
    "script_dans_un_titre_de_ressource": (
        lambda: scpro(fichiers={}, m=_ressource(titre="<script>x</script>")),
        ACTIF,
    ),
    "script_dans_un_nom_de_fichier": (
        lambda: scpro(
            ressources=[
                {
                    "type": "FICHIER",
                    "titre": "Consignes",
                    "fichier": "ressources/2-consignes.pdf",
                    "content_type": "application/pdf",
                    "nom": '"><svg onload=alert(1)>.pdf',
                }
            ]
        ),
        ACTIF,
    ),
    "script_dans_une_competence": (
        lambda: scpro(criteres=[{"competence": "<script>", "code": "1"}]),
        ACTIF,
    ),
    "lien_javascript": (lambda: scpro(fichiers={}, m=_ressource(url="javascript:alert(1)")), ACTIF),
    "lien_javascript_majuscules": (
        lambda: scpro(fichiers={}, m=_ressource(url="JaVaScRiPt:alert(1)")),
        ACTIF,
    ),
    "lien_data": (lambda: scpro(fichiers={}, m=_ressource(url="data:text/html,<b>x</b>")), ACTIF),
    "lien_ftp": (lambda: scpro(fichiers={}, m=_ressource(url="ftp://exemple.fr/x")), HTTP),
    "lien_relatif": (lambda: scpro(fichiers={}, m=_ressource(url="/admin/")), HTTP),
    "lien_invalide": (lambda: scpro(fichiers={}, m=_ressource(url="https://")), "adresse invalide"),
    "caractere_de_controle": (lambda: scpro(titre="Titre\x00"), "caractères de contrôle interdits"),
}


@pytest.mark.parametrize("cas", sorted(HOSTILES))
def test_fichier_hostile_refuse_sans_rien_ecrire(personas, cas):
    fabrique, message = HOSTILES[cas]
    data = fabrique()
    avant_fichiers, avant = _fichiers_media(), Scenario.objects.count()

    apercu = analyser_scpro(data, etablissement=personas.a.etablissement)
    assert not apercu.valide
    assert any(message in e for e in apercu.erreurs), apercu.erreurs

    with pytest.raises(ScproInvalide) as exc:
        _importer(personas, data, side="a")
    assert any(message in e for e in exc.value.erreurs)
    assert Scenario.objects.count() == avant
    assert not Ressource.objects.exists()
    assert not AuditLog.objects.filter(action="scenario.import").exists()
    assert _fichiers_media() == avant_fichiers


def test_taille_totale_decompressee_limitee(personas, monkeypatch):
    monkeypatch.setattr(echange, "TAILLE_DECOMPRESSEE_MAX", len(PDF) + 100)
    apercu = analyser_scpro(scpro(), etablissement=personas.a.etablissement)
    assert any(BOMBE in e for e in apercu.erreurs), apercu.erreurs


def test_fichier_trop_gros_avant_ouverture(personas, monkeypatch):
    monkeypatch.setattr(echange, "TAILLE_FICHIER_MAX", 100)
    apercu = analyser_scpro(scpro(), etablissement=personas.a.etablissement)
    assert apercu.erreurs == ["Le fichier dépasse la taille maximale de 0 Mo."]


def test_plusieurs_erreurs_signalees_ensemble(personas):
    apercu = analyser_scpro(
        scpro(titre="", niveau="X", taches="A1"), etablissement=personas.a.etablissement
    )
    assert len(apercu.erreurs) == 3, apercu.erreurs


def test_diplome_non_prepare_dans_l_etablissement(personas):
    autre = DiplomeFactory(code="AUTRE", intitule="Bac Pro Autre")
    personas.b.etablissement.diplomes.add(autre)
    data = scpro(diplome={"code": "AUTRE", "version": autre.version})
    apercu = analyser_scpro(data, etablissement=personas.a.etablissement)
    assert apercu.erreurs == [
        "Le diplôme « Bac Pro Autre » (version 2019) n'est pas préparé dans votre établissement."
    ]
    with pytest.raises(ScproInvalide):
        _importer(personas, data, side="a")
    assert not Scenario.objects.exists()


def test_diplome_que_l_enseignant_n_enseigne_pas(personas):
    d2 = personas.a.diplome2
    data = scpro(diplome={"code": d2.code, "version": d2.version})
    apercu = analyser_scpro(
        data,
        etablissement=personas.a.etablissement,
        diplomes_autorises=list(personas.a.enseignant.diplomes.all()),
    )
    assert any("Vous n'enseignez pas le diplôme" in e for e in apercu.erreurs)
    # The DDFPT (every diplôme of the establishment) may import it.
    apercu = analyser_scpro(
        data,
        etablissement=personas.a.etablissement,
        diplomes_autorises=list(personas.a.etablissement.diplomes.all()),
    )
    assert apercu.valide, apercu.erreurs


@pytest.mark.usefixtures("referentiels_charges")
def test_niveau_absent_du_diplome(personas):
    personas.a.diplome.refresh_from_db()
    assert Niveau.SECONDE not in personas.a.diplome.niveaux
    apercu = analyser_scpro(scpro(niveau="SECONDE"), etablissement=personas.a.etablissement)
    assert any("Le niveau « Seconde » n'existe pas pour le diplôme" in e for e in apercu.erreurs)


def test_dossier_ressources_et_cles_inconnues_toleres(personas):
    m = manifeste(extension_future={"x": 1})
    data = zipper({"manifest.json": m, "ressources/": b"", "ressources/2-consignes.pdf": PDF})
    apercu = analyser_scpro(data, etablissement=personas.a.etablissement)
    assert apercu.valide, apercu.erreurs


def test_types_de_fichiers_acceptes(personas):
    odt = zipper(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
        compression=zipfile.ZIP_STORED,
    )
    docx = zipper({"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"})
    fichiers = {
        "ressources/1-a.odt": odt,
        "ressources/2-b.docx": docx,
        "ressources/3-c.txt": "Bonjour é".encode(),
        "ressources/4-d.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 20,
    }
    types = {
        "odt": "application/vnd.oasis.opendocument.text",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "txt": "text/plain; charset=utf-8",
        "jpg": "image/jpeg",
    }
    ressources = [_fichier(c, types[c.rsplit(".", 1)[1]]) for c in fichiers]
    apercu = analyser_scpro(
        scpro(fichiers=fichiers, ressources=ressources), etablissement=personas.a.etablissement
    )
    assert apercu.valide, apercu.erreurs
    assert [r.nom for r in apercu.ressources] == ["a.odt", "b.docx", "c.txt", "d.jpg"]


def test_nom_sur():
    assert echange.nom_sur("Consignes élève (v2).PDF") == "Consignes-eleve-v2.PDF"
    assert echange.nom_sur("../../etc/passwd") == "passwd"
    assert echange.nom_sur("C:\\Users\\x\\plan.png") == "plan.png"
    assert echange.nom_sur("....") == "fichier"
    assert echange.nom_sur("日本.pdf") == "fichier.pdf"
    assert len(echange.nom_sur("a" * 300 + ".docx")) == 100
