"""Loading référentiels (format `cpro-referentiel`, see fixtures/referentiels/README.md).

`charger_referentiel(data, *, par)` validates a whole document, then upserts it by official
code in one transaction; `previsualiser_referentiel(data)` computes the same report without
writing. Nothing is ever deleted: items present in the database but absent from the file are
reported as « absent du fichier » (évaluations may point to them).
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from cpro.analyse import analyser
from referentiels.models import (
    Activite,
    Competence,
    CompetenceLSL,
    Confiance,
    Critere,
    Diplome,
    GrilleCCF,
    GroupeCompetences,
    Indicateur,
    LienTacheCompetence,
    NatureReferentiel,
    Niveau,
    Tache,
    Unite,
)

FORMAT = "cpro-referentiel"
FORMAT_VERSIONS = {1}
# Tables an import fills in bulk: ANALYZE after it (cpro.analyse).
MODELES_ANALYSES = (Unite, Activite, Tache, GroupeCompetences, Competence, Critere, Indicateur)
MODELES_ANALYSES += (LienTacheCompetence, GrilleCCF, CompetenceLSL)
TAILLE_MAX = 2 * 1024 * 1024  # bytes, for uploaded documents

CATEGORIES = (
    ("unites", "Unités et épreuves"),
    ("activites", "Activités"),
    ("taches", "Tâches professionnelles"),
    ("groupes", "Groupes de compétences"),
    ("competences", "Compétences"),
    ("criteres", "Critères d'évaluation"),
    ("indicateurs", "Indicateurs"),
    ("liens", "Liens tâche ↔ compétence"),
    ("grilles", "Grilles CCF"),
    ("competences_lsl", "Compétences du livret (LSL)"),
)
LISTES = ("unites", "activites", "groupes", "matrice", "grilles_ccf", "competences_lsl")


class ReferentielInvalide(Exception):
    """The document cannot be loaded; `erreurs` lists every problem, in French."""

    def __init__(self, erreurs: list[str]):
        super().__init__("\n".join(erreurs))
        self.erreurs = erreurs


@dataclass
class Changement:
    """One modified item: its code and, per changed field, (label, before, after) as text."""

    code: str
    champs: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Compteur:
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    modifications: list[str] = field(default_factory=list)
    absents: list[str] = field(default_factory=list)
    creations: list[str] = field(default_factory=list)
    changements: list[Changement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.crees + self.modifies + self.inchanges


@dataclass
class RapportChargement:
    """What a load did (or would do): counts per category, absent items, errors."""

    code: str = ""
    version: str = ""
    intitule: str = ""
    diplome: Diplome | None = None
    diplome_cree: bool = False
    diplome_modifie: bool = False
    diplome_changement: Changement | None = None
    ecrit: bool = False
    erreurs: list[str] = field(default_factory=list)
    comptes: dict[str, Compteur] = field(
        default_factory=lambda: {key: Compteur() for key, _ in CATEGORIES}
    )

    @property
    def valide(self) -> bool:
        return not self.erreurs

    @property
    def crees(self) -> int:
        return int(self.diplome_cree) + sum(c.crees for c in self.comptes.values())

    @property
    def modifies(self) -> int:
        return int(self.diplome_modifie) + sum(c.modifies for c in self.comptes.values())

    @property
    def inchanges(self) -> int:
        base = int(self.diplome is not None and not self.diplome_cree and not self.diplome_modifie)
        return base + sum(c.inchanges for c in self.comptes.values())

    @property
    def absents(self) -> int:
        return sum(len(c.absents) for c in self.comptes.values())

    @property
    def lignes(self) -> list[tuple[str, Compteur]]:
        return [(label, self.comptes[key]) for key, label in CATEGORIES]

    def resume(self) -> str:
        if self.erreurs:
            return f"{len(self.erreurs)} erreur(s) : rien n'a été écrit."
        etat = (
            "créé" if self.diplome_cree else ("mis à jour" if self.diplome_modifie else "inchangé")
        )
        return (
            f"{self.code} version {self.version} ({etat}) : {self.crees} créé(s), "
            f"{self.modifies} modifié(s), {self.inchanges} inchangé(s), "
            f"{self.absents} absent(s) du fichier (conservés)."
        )

    def en_dict(self) -> dict:
        """JSON-able summary for the audit log: counts, created codes, before → after."""

        def changements(liste):
            return [{"code": x.code, "champs": [list(c) for c in x.champs]} for x in liste]

        return {
            "code": self.code,
            "version": self.version,
            "crees": self.crees,
            "modifies": self.modifies,
            "inchanges": self.inchanges,
            "absents": self.absents,
            "detail": {
                key: {"crees": c.crees, "modifies": c.modifies, "inchanges": c.inchanges}
                for key, c in self.comptes.items()
            },
            "diplome": changements([self.diplome_changement] if self.diplome_changement else []),
            "creations": {k: c.creations for k, c in self.comptes.items() if c.creations},
            "changements": {
                k: changements(c.changements) for k, c in self.comptes.items() if c.changements
            },
        }


# --- reading and validation ------------------------------------------------------------------


def lire_json(contenu: bytes | str) -> dict:
    """Parse an uploaded or on-disk document; ReferentielInvalide with a French message."""
    if isinstance(contenu, bytes):
        if len(contenu) > TAILLE_MAX:
            raise ReferentielInvalide(["Le fichier dépasse la taille maximale de 2 Mo."])
        try:
            contenu = contenu.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReferentielInvalide(["Le fichier n'est pas un texte UTF-8."]) from None
    try:
        data = json.loads(contenu)
    except json.JSONDecodeError as exc:
        raise ReferentielInvalide(
            [f"Le fichier n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno})."]
        ) from None
    if not isinstance(data, dict):
        raise ReferentielInvalide(["Le document doit être un objet JSON."])
    return data


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _Validateur:
    """Collects every problem of a document (never stops at the first one)."""

    CONFIANCES = set(Confiance.values)

    def __init__(self):
        self.erreurs: list[str] = []

    def erreur(self, ou: str, message: str) -> None:
        self.erreurs.append(f"{ou} : {message}" if ou else message)

    def dict(self, value, ou: str) -> bool:
        if not isinstance(value, dict):
            self.erreur(ou, "un objet est attendu.")
            return False
        return True

    def liste(self, item: dict, key: str, ou: str, *, obligatoire=True) -> list:
        if key not in item:
            if obligatoire:
                self.erreur(ou, f"la clé « {key} » est manquante.")
            return []
        value = item[key]
        if not isinstance(value, list):
            self.erreur(ou, f"« {key} » doit être une liste.")
            return []
        return value

    def texte(self, item, key, ou, *, model=None, champ=None, obligatoire=True, vide=False):
        if key not in item or item[key] is None:
            if obligatoire:
                self.erreur(ou, f"la clé « {key} » est manquante.")
            return ""
        value = item[key]
        if not isinstance(value, str):
            self.erreur(ou, f"« {key} » doit être un texte.")
            return ""
        if obligatoire and not vide and not value.strip():
            self.erreur(ou, f"« {key} » ne peut pas être vide.")
        if model is not None:
            limite = _max_length(model, champ or key)
            if limite and len(value) > limite:
                self.erreur(ou, f"« {key} » dépasse {limite} caractères.")
        return value

    def textes(self, item, key, ou):
        values = self.liste(item, key, ou, obligatoire=False)
        if any(not isinstance(v, str) for v in values):
            self.erreur(ou, f"« {key} » doit être une liste de textes.")
        return values

    def provenance(self, item, ou):
        self.texte(item, "source", ou, vide=True)
        if "confiance" not in item:
            self.erreur(ou, "la clé « confiance » est manquante.")
        elif item["confiance"] not in self.CONFIANCES:
            self.erreur(
                ou, f"confiance « {item['confiance']} » inconnue (attendu : high, medium ou low)."
            )

    def element(self, item, ou, rang, model, *, code="code", intitule="intitule"):
        """Common checks; returns the item's code ("" when unusable).

        `ou` is a location template: "{}" becomes the item's code, or "n° <rang>" without one.
        """
        cle = item.get(code) if isinstance(item, dict) else None
        ou = ou.format(cle.strip() if isinstance(cle, str) and cle.strip() else f"n° {rang}")
        if not self.dict(item, ou):
            return ""
        value = self.texte(item, code, ou, model=model)
        if intitule:
            self.texte(item, intitule, ou, model=model)
        self.provenance(item, ou)
        return value.strip()

    def unique(self, code, vus: set, ou, quoi):
        if not code:
            return
        if code in vus:
            self.erreur(ou, f"{quoi} « {code} » en double.")
        vus.add(code)


def valider_referentiel(data) -> list[str]:
    """Every problem of the document, as French sentences (empty list: the document is valid)."""
    v = _Validateur()
    if not isinstance(data, dict):
        return ["Le document doit être un objet JSON."]
    if data.get("format") != FORMAT:
        v.erreur("", f"le document n'est pas au format « {FORMAT} » (clé « format »).")
    if data.get("format_version") not in FORMAT_VERSIONS:
        v.erreur("", "version de format non prise en charge (clé « format_version » : 1 attendu).")
    for key in ("diplome", *LISTES):
        if key not in data:
            v.erreur("Document", f"la clé « {key} » est manquante.")

    diplome = data.get("diplome")
    if diplome is not None and v.dict(diplome, "Diplôme"):
        for key in ("code", "version", "intitule", "intitule_court"):
            v.texte(diplome, key, "Diplôme", model=Diplome)
        for key in ("code_diplome", "famille"):
            v.texte(diplome, key, "Diplôme", model=Diplome, obligatoire=False)
        v.texte(diplome, "texte", "Diplôme", obligatoire=False)
        v.textes(diplome, "avertissements", "Diplôme")
        for n in v.liste(diplome, "niveaux", "Diplôme"):
            if n not in Niveau.values:
                v.erreur("Diplôme", f"niveau « {n} » inconnu (SECONDE, PREMIERE ou TERMINALE).")
        v.provenance(diplome, "Diplôme")

    unites = set()
    for i, u in enumerate(v.liste(data, "unites", "Document", obligatoire=False), 1):
        code = v.element(u, "Unité {}", i, Unite)
        if not code:
            continue
        ou = f"Unité {code}"
        v.unique(code, unites, ou, "code d'unité")
        v.texte(u, "epreuve", ou, model=Unite, obligatoire=False)
        v.texte(u, "mode", ou, model=Unite, obligatoire=False)
        coef = u.get("coefficient")
        if coef is not None and (
            isinstance(coef, bool) or not isinstance(coef, int | float) or not 0 <= coef < 1000
        ):
            v.erreur(ou, "« coefficient » doit être un nombre (ou null).")
        if "ccf" in u and not isinstance(u["ccf"], bool):
            v.erreur(ou, "« ccf » doit valoir true ou false.")

    taches = set()
    activites = set()
    for i, a in enumerate(v.liste(data, "activites", "Document", obligatoire=False), 1):
        code = v.element(a, "Activité {}", i, Activite)
        if not isinstance(a, dict):
            continue
        ou = f"Activité {code or f'n° {i}'}"
        v.unique(code, activites, ou, "code d'activité")
        for j, t in enumerate(v.liste(a, "taches", ou), 1):
            tcode = v.element(t, "Tâche {}", j, Tache)
            v.unique(tcode, taches, f"Tâche {tcode}", "code de tâche")

    competences = set()
    criteres_de = {}  # competence code -> its criterion codes (grid lines are checked on them)
    groupes = set()
    for i, g in enumerate(v.liste(data, "groupes", "Document", obligatoire=False), 1):
        code = v.element(g, "Groupe {}", i, GroupeCompetences)
        if not isinstance(g, dict):
            continue
        ou = f"Groupe {code or f'n° {i}'}"
        v.unique(code, groupes, ou, "code de groupe")
        if g.get("unite") is not None and g.get("unite") not in unites:
            v.erreur(ou, f"unité « {g.get('unite')} » inconnue.")
        for j, c in enumerate(v.liste(g, "competences", ou), 1):
            ccode = v.element(c, "Compétence {}", j, Competence)
            if not isinstance(c, dict):
                continue
            cou = f"Compétence {ccode or f'n° {j}'}"
            v.unique(ccode, competences, cou, "code de compétence")
            v.textes(c, "details", cou)
            v.textes(c, "correspondances", cou)
            if not isinstance(c.get("convention", False), bool):
                v.erreur(cou, "« convention » doit valoir true ou false.")
            criteres = criteres_de.setdefault(ccode, set())
            for k, cr in enumerate(v.liste(c, "criteres", cou, obligatoire=False), 1):
                crcode = v.element(cr, cou + ", critère {}", k, Critere)
                if not isinstance(cr, dict):
                    continue
                crou = f"{cou}, critère {crcode or f'n° {k}'}"
                v.unique(crcode, criteres, crou, "code de critère")
                descripteurs = v.liste(cr, "descripteurs", crou, obligatoire=False)
                if descripteurs and len(descripteurs) != 4:
                    v.erreur(crou, "« descripteurs » doit décrire exactement 4 niveaux.")
                for d in descripteurs:
                    if not (
                        isinstance(d, dict)
                        and isinstance(d.get("niveau"), str)
                        and isinstance(d.get("descripteur"), str)
                    ):
                        v.erreur(
                            crou, "chaque descripteur doit avoir « niveau » et « descripteur »."
                        )
                        break
                indicateurs = set()
                for m, ind in enumerate(v.liste(cr, "indicateurs", crou, obligatoire=False), 1):
                    icode = v.element(ind, crou + ", indicateur {}", m, Indicateur)
                    v.unique(icode, indicateurs, crou, "code d'indicateur")

    liens = set()
    for i, lien in enumerate(v.liste(data, "matrice", "Document", obligatoire=False), 1):
        ou = f"Matrice, lien n° {i}"
        if not v.dict(lien, ou):
            continue
        tache = v.texte(lien, "tache", ou)
        comp = v.texte(lien, "competence", ou)
        v.provenance(lien, ou)
        if tache and tache not in taches:
            v.erreur(ou, f"tâche « {tache} » inconnue.")
        if comp and comp not in competences:
            v.erreur(ou, f"compétence « {comp} » inconnue.")
        if (tache, comp) in liens:
            v.erreur(ou, f"lien « {tache} ↔ {comp} » en double.")
        liens.add((tache, comp))

    epreuves = set()
    for i, gr in enumerate(v.liste(data, "grilles_ccf", "Document", obligatoire=False), 1):
        code = v.element(gr, "Grille CCF {}", i, GrilleCCF, code="epreuve", intitule="titre")
        if not isinstance(gr, dict):
            continue
        ou = f"Grille CCF {code or f'n° {i}'}"
        v.unique(code, epreuves, ou, "grille de l'épreuve")
        v.texte(gr, "description", ou, obligatoire=False)
        if gr.get("unite") is not None and gr.get("unite") not in unites:
            v.erreur(ou, f"unité « {gr.get('unite')} » inconnue.")
        niveaux = v.liste(gr, "niveaux", ou)
        if len(niveaux) != 4 or any(not isinstance(n, str) for n in niveaux):
            v.erreur(ou, "« niveaux » doit contenir exactement 4 libellés.")
        v.textes(gr, "champs_entete", ou)
        v.textes(gr, "commentaires", ou)
        if "note" in gr and not isinstance(gr["note"], dict):
            v.erreur(ou, "« note » doit être un objet.")
        comps = v.liste(gr, "competences", ou, obligatoire=False)
        for comp in comps:
            if comp not in competences:
                v.erreur(ou, f"compétence « {comp} » inconnue.")
        possibles = set().union(*(criteres_de.get(c, set()) for c in comps if isinstance(c, str)))
        lignes = set()
        for ligne in v.liste(gr, "lignes", ou, obligatoire=False):
            if ligne not in possibles:
                v.erreur(ou, f"ligne « {ligne} » : pas un critère des compétences de la grille.")
            elif ligne in lignes:
                v.erreur(ou, f"ligne « {ligne} » en double.")
            lignes.add(ligne)
        if not isinstance(gr.get("niveaux_attestes", False), bool):
            v.erreur(ou, "« niveaux_attestes » doit valoir true ou false.")

    lsl = set()
    for i, item in enumerate(v.liste(data, "competences_lsl", "Document", obligatoire=False), 1):
        code = v.element(item, "Compétence LSL {}", i, CompetenceLSL)
        if not isinstance(item, dict):
            continue
        ou = f"Compétence LSL {code or f'n° {i}'}"
        v.unique(code, lsl, ou, "code de compétence LSL")
        for comp in v.liste(item, "competences", ou, obligatoire=False):
            if comp not in competences:
                v.erreur(ou, f"compétence « {comp} » inconnue.")
    return v.erreurs


# --- writing ---------------------------------------------------------------------------------


def _provenance(item: dict) -> dict:
    return {"source": item.get("source") or "", "confiance": item["confiance"]}


def _coefficient(value):
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation:  # pragma: no cover - rejected by validation
        return None


def _texte(value) -> str:
    """A field value as the preview shows it (before → after)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, list):
        return " ; ".join(
            f"{v.get('niveau')} : {v.get('descripteur')}" if isinstance(v, dict) else str(v)
            for v in value
        )
    if isinstance(value, dict):
        return " ; ".join(f"{k} : {v}" for k, v in value.items())
    return str(value)


def _champs_modifies(model, obj, valeurs: dict, noms: list[str]) -> list[tuple[str, str, str]]:
    """(label, before, after) of each changed field; a parent shows its code."""
    champs = []
    for name in noms:
        f = model._meta.get_field(name.removesuffix("_id"))
        label = str(f.verbose_name)
        if name == "ordre":
            champs.append(("position", str(getattr(obj, name) + 1), str(valeurs[name] + 1)))
        elif f.is_relation:
            avant = getattr(obj, f.name)
            apres = f.related_model.objects.filter(pk=valeurs[name]).first()
            champs.append(
                (
                    label,
                    _texte(getattr(avant, "code", avant)),
                    _texte(getattr(apres, "code", apres)),
                )
            )
        elif f.choices:
            lib = dict(f.flatchoices)
            champs.append(
                (label, str(lib.get(getattr(obj, name), "—")), str(lib.get(valeurs[name], "—")))
            )
        else:
            champs.append((label, _texte(getattr(obj, name)), _texte(valeurs[name])))
    return champs


def _sync(model, existants: dict, cle, valeurs: dict, compteur: Compteur, libelle: str):
    """Create or update one row; count it. `valeurs` uses attnames (`diplome_id`…).

    The compteur keeps the created codes and, for an update, each changed field before → after.
    """
    obj = existants.get(cle)
    if obj is None:
        obj = model.objects.create(**valeurs)
        existants[cle] = obj
        compteur.crees += 1
        compteur.creations.append(libelle)
        return obj
    changes = [name for name, value in valeurs.items() if getattr(obj, name) != value]
    if changes:
        changement = Changement(libelle, _champs_modifies(model, obj, valeurs, changes))
        for name in changes:
            setattr(obj, name, valeurs[name])
        obj.save(update_fields=changes)
        compteur.modifies += 1
        compteur.modifications.append(libelle)
        compteur.changements.append(changement)
    else:
        compteur.inchanges += 1
    return obj


def _sync_m2m(obj, relation: str, pks: set, compteur: Compteur, libelle: str, deja_compte: bool):
    manager = getattr(obj, relation)
    avant = dict(manager.values_list("pk", "code"))
    if set(avant) != pks:
        apres = dict(manager.model.objects.filter(pk__in=pks).values_list("pk", "code"))
        champ = (
            {"competences": "compétences", "lignes": "lignes (critères)"}.get(relation, relation),
            ", ".join(sorted(avant.values())) or "—",
            ", ".join(sorted(apres.values())) or "—",
        )
        manager.set(pks)
        if deja_compte:  # the row itself was unchanged: the change is in its links
            compteur.inchanges -= 1
            compteur.modifies += 1
            compteur.modifications.append(libelle)
            compteur.changements.append(Changement(libelle, [champ]))
        elif compteur.changements and compteur.changements[-1].code == libelle:
            compteur.changements[-1].champs.append(champ)


def _ecrire(data: dict, rapport: RapportChargement) -> Diplome:
    d = data["diplome"]
    valeurs = {
        "intitule": d["intitule"],
        "intitule_court": d["intitule_court"],
        "code_diplome": d.get("code_diplome") or "",
        "famille": d.get("famille") or "",
        "niveaux": list(d.get("niveaux") or []),
        "texte": d.get("texte") or "",
        "avertissements": list(d.get("avertissements") or []),
        **_provenance(d),
    }
    diplome = Diplome.objects.filter(code=d["code"], version=d["version"]).first()
    if diplome is None:
        diplome = Diplome.objects.create(code=d["code"], version=d["version"], **valeurs)
        rapport.diplome_cree = True
    else:
        changes = [k for k, v in valeurs.items() if getattr(diplome, k) != v]
        if changes:
            rapport.diplome_changement = Changement(
                d["code"], _champs_modifies(Diplome, diplome, valeurs, changes)
            )
            for k in changes:
                setattr(diplome, k, valeurs[k])
            diplome.save(update_fields=[*changes, "importe_le"])
            rapport.diplome_modifie = True
    rapport.diplome = diplome
    c = rapport.comptes

    unites = {u.code: u for u in Unite.objects.filter(diplome=diplome)}
    vus = set()
    for ordre, u in enumerate(data["unites"]):
        vus.add(u["code"])
        _sync(
            Unite,
            unites,
            u["code"],
            {
                "diplome_id": diplome.pk,
                "code": u["code"],
                "epreuve": u.get("epreuve") or "",
                "intitule": u["intitule"],
                "mode": u.get("mode") or "",
                "coefficient": _coefficient(u.get("coefficient")),
                "ccf": bool(u.get("ccf", False)),
                "ordre": ordre,
                **_provenance(u),
            },
            c["unites"],
            u["code"],
        )
    c["unites"].absents = sorted(set(unites) - vus)

    def unite_id(code):
        return unites[code].pk if code else None

    activites = {a.code: a for a in Activite.objects.filter(diplome=diplome)}
    taches = {t.code: t for t in Tache.objects.filter(diplome=diplome)}
    vus_a, vus_t = set(), set()
    for ordre, a in enumerate(data["activites"]):
        vus_a.add(a["code"])
        activite = _sync(
            Activite,
            activites,
            a["code"],
            {
                "diplome_id": diplome.pk,
                "code": a["code"],
                "intitule": a["intitule"],
                "ordre": ordre,
                **_provenance(a),
            },
            c["activites"],
            a["code"],
        )
        for tordre, t in enumerate(a["taches"]):
            vus_t.add(t["code"])
            _sync(
                Tache,
                taches,
                t["code"],
                {
                    "diplome_id": diplome.pk,
                    "activite_id": activite.pk,
                    "code": t["code"],
                    "intitule": t["intitule"],
                    "ordre": tordre,
                    **_provenance(t),
                },
                c["taches"],
                t["code"],
            )
    c["activites"].absents = sorted(set(activites) - vus_a)
    c["taches"].absents = sorted(set(taches) - vus_t)

    groupes = {g.code: g for g in GroupeCompetences.objects.filter(diplome=diplome)}
    competences = {x.code: x for x in Competence.objects.filter(diplome=diplome)}
    criteres = {
        (x.competence_id, x.code): x for x in Critere.objects.filter(competence__diplome=diplome)
    }
    indicateurs = {
        (x.critere_id, x.code): x
        for x in Indicateur.objects.filter(critere__competence__diplome=diplome)
    }
    vus_g, vus_c, vus_cr, vus_i = set(), set(), set(), set()
    for ordre, g in enumerate(data["groupes"]):
        vus_g.add(g["code"])
        groupe = _sync(
            GroupeCompetences,
            groupes,
            g["code"],
            {
                "diplome_id": diplome.pk,
                "code": g["code"],
                "intitule": g["intitule"],
                "unite_id": unite_id(g.get("unite")),
                "ordre": ordre,
                **_provenance(g),
            },
            c["groupes"],
            g["code"],
        )
        for cordre, comp in enumerate(g["competences"]):
            vus_c.add(comp["code"])
            competence = _sync(
                Competence,
                competences,
                comp["code"],
                {
                    "diplome_id": diplome.pk,
                    "groupe_id": groupe.pk,
                    "code": comp["code"],
                    "intitule": comp["intitule"],
                    "details": list(comp.get("details") or []),
                    "correspondances": list(comp.get("correspondances") or []),
                    "convention": bool(comp.get("convention", False)),
                    "ordre": cordre,
                    **_provenance(comp),
                },
                c["competences"],
                comp["code"],
            )
            for crordre, cr in enumerate(comp.get("criteres") or []):
                key = (competence.pk, cr["code"])
                vus_cr.add(key)
                critere = _sync(
                    Critere,
                    criteres,
                    key,
                    {
                        "competence_id": competence.pk,
                        "code": cr["code"],
                        "intitule": cr["intitule"],
                        "descripteurs": [
                            {"niveau": x["niveau"], "descripteur": x["descripteur"]}
                            for x in cr.get("descripteurs") or []
                        ],
                        "ordre": crordre,
                        **_provenance(cr),
                    },
                    c["criteres"],
                    cr["code"],
                )
                for iordre, ind in enumerate(cr.get("indicateurs") or []):
                    ikey = (critere.pk, ind["code"])
                    vus_i.add(ikey)
                    _sync(
                        Indicateur,
                        indicateurs,
                        ikey,
                        {
                            "critere_id": critere.pk,
                            "code": ind["code"],
                            "intitule": ind["intitule"],
                            "ordre": iordre,
                            **_provenance(ind),
                        },
                        c["indicateurs"],
                        ind["code"],
                    )
    c["groupes"].absents = sorted(set(groupes) - vus_g)
    c["competences"].absents = sorted(set(competences) - vus_c)
    c["criteres"].absents = sorted(criteres[k].code for k in set(criteres) - vus_cr)
    c["indicateurs"].absents = sorted(indicateurs[k].code for k in set(indicateurs) - vus_i)

    liens = {
        (x.tache_id, x.competence_id): x
        for x in LienTacheCompetence.objects.filter(tache__diplome=diplome)
    }
    vus_l = set()
    for lien in data["matrice"]:
        tache, comp = taches[lien["tache"]], competences[lien["competence"]]
        key = (tache.pk, comp.pk)
        vus_l.add(key)
        _sync(
            LienTacheCompetence,
            liens,
            key,
            {"tache_id": tache.pk, "competence_id": comp.pk, **_provenance(lien)},
            c["liens"],
            f"{tache.code} ↔ {comp.code}",
        )
    tache_par_pk = {x.pk: code for code, x in taches.items()}
    comp_par_pk = {x.pk: code for code, x in competences.items()}
    c["liens"].absents = sorted(
        f"{tache_par_pk[t]} ↔ {comp_par_pk[k]}" for t, k in set(liens) - vus_l
    )

    grilles = {x.epreuve: x for x in GrilleCCF.objects.filter(diplome=diplome)}
    vus_gr = set()
    for gr in data["grilles_ccf"]:
        vus_gr.add(gr["epreuve"])
        nouveau = gr["epreuve"] not in grilles
        grille = _sync(
            GrilleCCF,
            grilles,
            gr["epreuve"],
            {
                "diplome_id": diplome.pk,
                "epreuve": gr["epreuve"],
                "unite_id": unite_id(gr.get("unite")),
                "titre": gr["titre"],
                "description": gr.get("description") or "",
                "niveaux": list(gr["niveaux"]),
                "champs_entete": list(gr.get("champs_entete") or []),
                "commentaires": list(gr.get("commentaires") or []),
                "note": dict(gr.get("note") or {}),
                "niveaux_attestes": bool(
                    gr.get("niveaux_attestes", gr.get("confiance", "high") != "low")
                ),
                **_provenance(gr),
            },
            c["grilles"],
            gr["epreuve"],
        )
        pks = {competences[code].pk for code in gr.get("competences") or []}
        deja = not nouveau and gr["epreuve"] not in c["grilles"].modifications
        _sync_m2m(grille, "competences", pks, c["grilles"], gr["epreuve"], deja)
        # Lines: the listed criteria; a file without "lignes" (older format) means every
        # criterion of the grid's competences.
        if "lignes" in gr:
            codes_lignes = set(gr["lignes"])
            lignes = {x.pk for x in criteres.values() if x.code in codes_lignes}
            lignes &= {x.pk for x in criteres.values() if x.competence_id in pks}
        else:
            lignes = {x.pk for x in criteres.values() if x.competence_id in pks}
        deja = not nouveau and gr["epreuve"] not in c["grilles"].modifications
        _sync_m2m(grille, "lignes", lignes, c["grilles"], gr["epreuve"], deja)
    c["grilles"].absents = sorted(set(grilles) - vus_gr)

    lsl = {x.code: x for x in CompetenceLSL.objects.filter(diplome=diplome)}
    vus_lsl = set()
    for ordre, item in enumerate(data["competences_lsl"]):
        vus_lsl.add(item["code"])
        nouveau = item["code"] not in lsl
        obj = _sync(
            CompetenceLSL,
            lsl,
            item["code"],
            {
                "diplome_id": diplome.pk,
                "code": item["code"],
                "intitule": item["intitule"],
                "ordre": ordre,
                **_provenance(item),
            },
            c["competences_lsl"],
            item["code"],
        )
        pks = {competences[code].pk for code in item.get("competences") or []}
        deja = not nouveau and item["code"] not in c["competences_lsl"].modifications
        _sync_m2m(obj, "competences", pks, c["competences_lsl"], item["code"], deja)
    c["competences_lsl"].absents = sorted(set(lsl) - vus_lsl)
    return diplome


def _rapport_vide(data) -> RapportChargement:
    d = data.get("diplome") if isinstance(data, dict) else None
    d = d if isinstance(d, dict) else {}
    return RapportChargement(
        code=str(d.get("code") or ""),
        version=str(d.get("version") or ""),
        intitule=str(d.get("intitule") or ""),
    )


def _erreurs_base(data) -> list[str]:
    """The document's errors, plus a refusal when its (code, version) is an establishment's
    transversal référentiel: an official import never replaces it."""
    erreurs = valider_referentiel(data)
    d = data.get("diplome") if isinstance(data, dict) else None
    if (
        not erreurs
        and Diplome.objects.filter(code=d["code"], version=d["version"])
        .exclude(nature=NatureReferentiel.DIPLOME)
        .exists()
    ):
        erreurs.append(
            "Diplôme : ce code et cette version sont ceux des compétences transversales d'un "
            "établissement : importez-les depuis la page « Compétences transversales »."
        )
    return erreurs


def previsualiser_referentiel(data) -> RapportChargement:
    """The report `charger_referentiel` would give, without writing anything.

    Invalid document → the report carries the errors (nothing is raised). Valid document →
    the load runs inside a transaction that is rolled back.
    """
    rapport = _rapport_vide(data)
    rapport.erreurs = _erreurs_base(data)
    if rapport.erreurs:
        return rapport
    with transaction.atomic():
        _ecrire(data, rapport)
        transaction.set_rollback(True)
    rapport.diplome = None if rapport.diplome_cree else rapport.diplome
    return rapport


def charger_referentiel(
    data, *, par=None, etablissement=None, contexte: dict | None = None
) -> RapportChargement:
    """Validate the whole document, then upsert it by official code in one transaction.

    Writes: the Diplome (code, version) and its unités, activités, tâches, groupes,
    compétences, critères, indicateurs, matrix links, CCF grids and LSL competences — created
    or updated; never deleted (absent items are listed in the report).
    Audit: `referentiel.import` when `par` is given (import from the UI): counts, created
    codes, changed fields before → after, plus `contexte` (file name, format, the import-level
    provenance) under "import".
    Raises ReferentielInvalide (nothing written) when the document has any error.
    """
    rapport = _rapport_vide(data)
    erreurs = _erreurs_base(data)
    if erreurs:
        raise ReferentielInvalide(erreurs)
    with transaction.atomic():
        diplome = _ecrire(data, rapport)
        rapport.ecrit = True
        if par is not None:
            from cpro.audit import journaliser

            journaliser(
                "referentiel.import",
                par=par,
                etablissement=etablissement,
                objet=diplome,
                apres={**rapport.en_dict(), **({"import": contexte} if contexte else {})},
            )
        # Fresh planner statistics once the rows are visible (PostgreSQL; no-op otherwise).
        transaction.on_commit(lambda: analyser(*MODELES_ANALYSES))
    return rapport


# --- export to the format, import-level provenance --------------------------------------------


def _nombre(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def document_referentiel(diplome: Diplome) -> dict:
    """The diplôme version as a `cpro-referentiel` document (what loading it would recreate).

    Reloading the result changes nothing (every item is reported unchanged). Queries: a fixed
    number, whatever the size of the référentiel.
    """
    from django.db.models import Prefetch

    def prov(o):
        return {"source": o.source, "confiance": o.confiance}

    comp_ordre = ("groupe__ordre", "ordre", "code")
    unites = list(Unite.objects.filter(diplome=diplome).order_by("ordre", "code"))
    code_unite = {u.pk: u.code for u in unites}
    activites = Activite.objects.filter(diplome=diplome).order_by("ordre", "code")
    activites = activites.prefetch_related(
        Prefetch("taches", queryset=Tache.objects.order_by("ordre", "code"))
    )
    criteres = Critere.objects.order_by("ordre", "code").prefetch_related(
        Prefetch("indicateurs", queryset=Indicateur.objects.order_by("ordre", "code"))
    )
    groupes = GroupeCompetences.objects.filter(diplome=diplome).order_by("ordre", "code")
    groupes = groupes.prefetch_related(
        Prefetch(
            "competences",
            queryset=Competence.objects.order_by("ordre", "code").prefetch_related(
                Prefetch("criteres", queryset=criteres)
            ),
        )
    )
    liens = (
        LienTacheCompetence.objects.filter(tache__diplome=diplome)
        .select_related("tache", "competence")
        .order_by(
            "tache__activite__ordre", "tache__ordre", *(f"competence__{x}" for x in comp_ordre)
        )
    )
    grilles = (
        GrilleCCF.objects.filter(diplome=diplome)
        .order_by("epreuve")
        .prefetch_related(
            Prefetch("competences", queryset=Competence.objects.order_by(*comp_ordre)),
            Prefetch(
                "lignes",
                queryset=Critere.objects.select_related("competence").order_by(
                    *(f"competence__{x}" for x in comp_ordre), "ordre", "code"
                ),
            ),
        )
    )
    lsl = (
        CompetenceLSL.objects.filter(diplome=diplome)
        .order_by("ordre", "code")
        .prefetch_related(
            Prefetch("competences", queryset=Competence.objects.order_by(*comp_ordre))
        )
    )
    d = diplome
    return {
        "format": FORMAT,
        "format_version": 1,
        "diplome": {
            "code": d.code,
            "version": d.version,
            "intitule": d.intitule,
            "intitule_court": d.intitule_court,
            "code_diplome": d.code_diplome,
            "famille": d.famille,
            "niveaux": list(d.niveaux),
            "texte": d.texte,
            "avertissements": list(d.avertissements),
            **prov(d),
        },
        "unites": [
            {
                "code": u.code,
                "epreuve": u.epreuve,
                "intitule": u.intitule,
                "mode": u.mode,
                "coefficient": _nombre(u.coefficient),
                "ccf": u.ccf,
                **prov(u),
            }
            for u in unites
        ],
        "activites": [
            {
                "code": a.code,
                "intitule": a.intitule,
                **prov(a),
                "taches": [
                    {"code": t.code, "intitule": t.intitule, **prov(t)} for t in a.taches.all()
                ],
            }
            for a in activites
        ],
        "groupes": [
            {
                "code": g.code,
                "intitule": g.intitule,
                "unite": code_unite.get(g.unite_id),
                **prov(g),
                "competences": [
                    {
                        "code": c.code,
                        "intitule": c.intitule,
                        "details": list(c.details),
                        "correspondances": list(c.correspondances),
                        "convention": c.convention,
                        **prov(c),
                        "criteres": [
                            {
                                "code": cr.code,
                                "intitule": cr.intitule,
                                "descripteurs": list(cr.descripteurs),
                                **prov(cr),
                                "indicateurs": [
                                    {"code": i.code, "intitule": i.intitule, **prov(i)}
                                    for i in cr.indicateurs.all()
                                ],
                            }
                            for cr in c.criteres.all()
                        ],
                    }
                    for c in g.competences.all()
                ],
            }
            for g in groupes
        ],
        "matrice": [
            {"tache": x.tache.code, "competence": x.competence.code, **prov(x)} for x in liens
        ],
        "grilles_ccf": [
            {
                "epreuve": gr.epreuve,
                "unite": code_unite.get(gr.unite_id),
                "titre": gr.titre,
                "description": gr.description,
                "niveaux": list(gr.niveaux),
                "champs_entete": list(gr.champs_entete),
                "commentaires": list(gr.commentaires),
                "note": dict(gr.note),
                "competences": [c.code for c in gr.competences.all()],
                "lignes": [cr.code for cr in gr.lignes.all()],
                "niveaux_attestes": gr.niveaux_attestes,
                **prov(gr),
            }
            for gr in grilles
        ],
        "competences_lsl": [
            {
                "code": x.code,
                "intitule": x.intitule,
                "competences": [c.code for c in x.competences.all()],
                **prov(x),
            }
            for x in lsl
        ],
    }


def _elements(data: dict):
    """(key, item, content) of every item of a valid document; `content` is what the loader
    writes for the item, without its provenance, order and children (the comparison of
    `appliquer_provenance`)."""
    d = data["diplome"]
    yield (
        ("diplome",),
        d,
        (
            d["version"],
            d["intitule"],
            d["intitule_court"],
            d.get("code_diplome") or "",
            d.get("famille") or "",
            list(d.get("niveaux") or []),
            d.get("texte") or "",
            list(d.get("avertissements") or []),
        ),
    )
    for u in data["unites"]:
        contenu = (
            u.get("epreuve") or "",
            u["intitule"],
            u.get("mode") or "",
            _coefficient(u.get("coefficient")),
            bool(u.get("ccf", False)),
        )
        yield ("unite", u["code"]), u, contenu
    for a in data["activites"]:
        yield ("activite", a["code"]), a, (a["intitule"],)
        for t in a["taches"]:
            yield ("tache", t["code"]), t, (a["code"], t["intitule"])
    criteres_de = {}
    for g in data["groupes"]:
        yield ("groupe", g["code"]), g, (g["intitule"], g.get("unite"))
        for c in g["competences"]:
            contenu = (
                g["code"],
                c["intitule"],
                list(c.get("details") or []),
                list(c.get("correspondances") or []),
                bool(c.get("convention", False)),
            )
            yield ("competence", c["code"]), c, contenu
            criteres_de[c["code"]] = [cr["code"] for cr in c.get("criteres") or []]
            for cr in c.get("criteres") or []:
                descripteurs = [
                    (x["niveau"], x["descripteur"]) for x in cr.get("descripteurs") or []
                ]
                yield ("critere", c["code"], cr["code"]), cr, (cr["intitule"], descripteurs)
                for i in cr.get("indicateurs") or []:
                    yield ("indicateur", c["code"], cr["code"], i["code"]), i, (i["intitule"],)
    for lien in data["matrice"]:
        yield ("lien", lien["tache"], lien["competence"]), lien, ()
    for gr in data["grilles_ccf"]:
        comps = sorted(gr.get("competences") or [])
        lignes = gr.get("lignes")
        if lignes is None:
            lignes = [code for c in comps for code in criteres_de.get(c, [])]
        contenu = (
            gr.get("unite"),
            gr["titre"],
            gr.get("description") or "",
            list(gr["niveaux"]),
            list(gr.get("champs_entete") or []),
            list(gr.get("commentaires") or []),
            dict(gr.get("note") or {}),
            bool(gr.get("niveaux_attestes", gr.get("confiance", "high") != "low")),
            comps,
            sorted(lignes),
        )
        yield ("grille", gr["epreuve"]), gr, contenu
    for x in data["competences_lsl"]:
        yield ("lsl", x["code"]), x, (x["intitule"], sorted(x.get("competences") or []))


def diplome_de_reference(data: dict) -> Diplome | None:
    """What an import is compared with: the same (code, version), else the latest version of
    the same code (a new version), else None (a new diplôme)."""
    d = data.get("diplome") if isinstance(data, dict) else None
    if not isinstance(d, dict):
        return None
    officiels = Diplome.objects.filter(nature=NatureReferentiel.DIPLOME)
    meme = officiels.filter(code=d.get("code"), version=d.get("version")).first()
    return meme or officiels.filter(code=d.get("code")).order_by("-importe_le").first()


def appliquer_provenance(data: dict, *, confiance: str, source: str) -> tuple[dict, int]:
    """The document with an import-level provenance on the items the DDFPT changed.

    Rule (documented on the import page): an item whose content (labels, parent, levels,
    lists — anything the loader writes except source, confiance and order) differs from the
    reference diplôme (`diplome_de_reference`), or which is not in it, takes `confiance` and
    `source`. An item with the same content keeps the provenance written in the file, so a
    re-import never turns reconstructed content into verified content by itself. Returns a
    copy and the number of items requalified. An invalid document is returned untouched (the
    preview lists its errors).
    """
    import copy

    if confiance not in Confiance.values or valider_referentiel(data):
        return data, 0
    data = copy.deepcopy(data)
    reference = diplome_de_reference(data)
    avant = (
        {cle: contenu for cle, _item, contenu in _elements(document_referentiel(reference))}
        if reference
        else {}
    )
    nouveaux = [(cle, item) for cle, item, contenu in _elements(data) if avant.get(cle) != contenu]
    for _cle, item in nouveaux:
        item["confiance"] = confiance
        item["source"] = source
    return data, len(nouveaux)


def previsualiser_import(
    data, *, confiance: str = "", source: str = ""
) -> tuple[dict, RapportChargement, int]:
    """Preview of an import from the administration page (nothing written).

    With `confiance` (and its `source`), the items the file creates or changes take that
    provenance first (`appliquer_provenance`). Returns the document to keep for the
    confirmation, the report, and the number of items requalified.
    """
    requalifies = 0
    if confiance:
        data, requalifies = appliquer_provenance(data, confiance=confiance, source=source)
    return data, previsualiser_referentiel(data), requalifies
