"""Helpers to build and tamper with archives in tests."""

import hashlib
import io
import json
import tarfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from lxml import etree


def membres(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isreg() else b"") for m in tar.getmembers()]


def reecrire(archive: Path, destination: Path, membres_modifies) -> Path:
    """Write `destination` with the given [(TarInfo, bytes)] (sizes fixed up)."""
    with tarfile.open(destination, "w:gz") as tar:
        for info, contenu in membres_modifies:
            info = tarfile.TarInfo(info.name) if isinstance(info, str) else info
            if info.isreg():
                info.size = len(contenu)
                tar.addfile(info, io.BytesIO(contenu))
            else:
                tar.addfile(info)
    return destination


def manifeste(archive: Path) -> dict:
    for info, contenu in membres(archive):
        if info.name == "manifeste.json":
            return json.loads(contenu)
    raise AssertionError("pas de manifeste")


# --- moving an establishment ------------------------------------------------------------------


def donnees(archive: Path) -> list[dict]:
    for info, contenu in membres(archive):
        if info.name == "donnees.jsonl":
            return [json.loads(ligne) for ligne in contenu.decode().splitlines()]
    raise AssertionError("pas de données")


def empreintes_etablissement(archive: Path, *, sauf_actions=frozenset()) -> dict[str, Counter]:
    """Per model, the multiset of row fingerprints where every key towards a scope row is
    replaced by that row's own fingerprint (recursively), ids in the audit JSON included:
    equal for two archives of the same content whatever the primary keys. Audit entries of
    `sauf_actions` are left out."""
    from sauvegarde import journal, perimetre

    scope = {m.label: m.modele for m in perimetre.perimetre()}
    toutes = donnees(archive)
    # An audit row about a shared row (a référentiel's critère) names it by natural key ("r").
    naturelles = {(ligne["m"], ligne["k"]): ligne["r"] for ligne in toutes if "r" in ligne}
    lignes = {
        (ligne["m"], ligne["k"]): ligne["c"]
        for ligne in toutes
        if not ligne.get("p")  # the establishment's own référentiel: compared by the test
        and (ligne["m"] != "cpro.auditlog" or ligne["c"]["action"] not in sauf_actions)
    }
    memo: dict[tuple, str] = {}

    def empreinte(label: str, cle) -> str:
        if (label, cle) not in memo:
            modele = scope[label]
            canon = {}
            for nom, valeur in lignes[(label, cle)].items():
                f = modele._meta.get_field(nom)
                cible = perimetre.label(f.related_model) if f.is_relation else None
                if cible in scope and valeur is not None:
                    valeur = empreinte(cible, valeur)
                canon[nom] = valeur
            for nom in perimetre.JSON_AVEC_IDS.get(label, ()):
                canon[nom] = journal.renumeroter(
                    canon[nom],
                    lambda cible, v: empreinte(cible, v) if (cible, v) in lignes else v,
                )
            reference = perimetre.REFERENCES_TEXTUELLES.get(label)
            if reference:
                type_, ident = reference
                objet = (str(canon[type_]).lower(), canon[ident])
                objet = (objet[0], int(objet[1])) if str(objet[1]).isdigit() else objet
                if objet in lignes:
                    canon[ident] = empreinte(*objet)
                elif (label, cle) in naturelles:
                    canon[ident] = naturelles[(label, cle)]
            texte = json.dumps([label, canon], sort_keys=True, ensure_ascii=False)
            memo[(label, cle)] = hashlib.sha256(texte.encode()).hexdigest()
        return memo[(label, cle)]

    resultat: dict[str, Counter] = {}
    for label, cle in lignes:
        resultat.setdefault(label, Counter())[empreinte(label, cle)] += 1
    return resultat


def fichiers(racine: Path) -> dict[str, str]:
    return {
        p.relative_to(racine).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in racine.rglob("*")
        if p.is_file()
    }


@contextmanager
def base_par_defaut(wrapper):
    """Run project code (services, test client) against another database: `wrapper` (a
    sauvegarde.bases.connexion_temporaire) stands in for the default connection."""
    ancienne = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = ancienne


def xml_lsl(slug: str) -> bytes:
    """The LSL 1.0 XML (canonical, comments aside) of every complete learner of the
    establishment's latest year, built as the export task builds it (validated against the
    XSD), without recording an export."""
    from cpro.models import Etablissement
    from lslpro import profils, services_export

    etab = Etablissement.objects.get(slug=slug)
    for annee in services_export.annees(etab):
        divisions = list(services_export.divisions_annee(etab, annee))
        verification = services_export.verifier(
            etab, annee=annee, divisions=divisions, profil="lsl-1.0", comparer=False
        )
        livrets = [ligne.livret for ligne in verification.exportables]
        if livrets:
            profil = profils.profil("lsl-1.0")
            data, _ = profil.produire(
                livrets,
                etablissement=etab,
                annee=annee,
                **services_export._contexte(verification),
            )
            services_export.valider(data, profil)
            # Canonical form without comments: the only comment is the build's date and time.
            return etree.tostring(etree.fromstring(data), method="c14n", with_comments=False)
    raise AssertionError("aucun livret exportable")


def pdf_grille_texte(slug: str) -> tuple[str, str]:
    """(learner, text of the PDF) of the first locked CCF grid, by name: the same grid on
    both instances whatever its primary key."""
    from pypdf import PdfReader

    from certification.models import GrilleCandidat
    from certification.queries_documents import documents_grilles
    from certification.rendu import pdf_grille

    gc = (
        GrilleCandidat.objects.filter(etablissement__slug=slug)
        .exclude(pdf_fige="")
        .order_by("apprenant__membership__user__last_name", "grille__epreuve", "session")
        .select_related("etablissement", "apprenant__membership__user")
        .first()
    )
    assert gc is not None
    (doc,) = documents_grilles(gc.etablissement, [gc.pk])
    lecteur = PdfReader(io.BytesIO(pdf_grille(doc)))
    texte = " ".join(" ".join((page.extract_text() or "").split()) for page in lecteur.pages)
    return str(gc.apprenant), texte


def version_changee(nom):
    """An archive transformer (for `reecrire`) setting the format version of member `nom` to 2."""

    def transformer(ms):
        resultat = []
        for info, data in ms:
            if info.name == nom:
                contenu = json.loads(data)
                contenu["version"] = 2
                data = json.dumps(contenu).encode()
            resultat.append((info, data))
        return resultat

    return transformer
