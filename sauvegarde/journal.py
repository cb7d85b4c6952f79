"""Primary keys written inside the audit log's JSON (`AuditLog.avant` / `apres`) and its object
column, renumbered when an establishment moves to another instance.

Services record ids next to readable values (`{"scenario": 12, "titre": "…"}`). Copied as-is,
those ids would name, on the target instance, rows of the target's own numbering — another
learner, another évaluation. So the keys below are declared with the model their integers
designate, and every other integer key is declared as a plain number (a count, a session); a
test walks the audit entries the demo lycée's services write (every module builds its demo
through its services) and fails on an integer key declared in neither list, so that a new id
cannot be copied unnoticed.

On export, ids of référentiel rows (shared by every instance, numbered differently on each) are
replaced by their natural key, `{"cle": [code, …]}`; ids of the establishment's own rows are
kept (they are the archive's row keys). On import, both become the target's new ids; an id of
a row that no longer existed when the archive was written (a deleted bilan, a removed
criterion) becomes null — the readable values recorded beside it (titre, code, nom) remain.
"""

from collections.abc import Callable

from django.conf import settings

# Key of the JSON → label of the model its integer values (or list of integers) designate.
IDS: dict[str, str] = {
    "apprenant": "cpro.apprenant",
    "bilan": "bilans.bilanintermediaire",
    "commentaire": "pfmp.commentairepublication",
    "critere": "referentiels.critere",
    "diplome": "referentiels.diplome",
    "enseignants": settings.AUTH_USER_MODEL.lower(),
    "evaluation": "evaluations.evaluation",
    "evaluations": "evaluations.evaluation",
    "evaluations_deverrouillees": "evaluations.evaluation",
    "evaluations_restees_verrouillees": "evaluations.evaluation",
    "lien_tuteur": "pfmp.lientuteur",
    "publication": "pfmp.publication",
    "scenario": "scenarios.scenario",
    "valide_par": settings.AUTH_USER_MODEL.lower(),
    "verrouillee_par": settings.AUTH_USER_MODEL.lower(),
}
# Keys whose value is a dict keyed by the ids of a model (`{"apprenants": {"12": {…}}}`).
IDS_EN_CLES: dict[str, str] = {"apprenants": "cpro.apprenant"}
# Integer keys that are numbers, not ids.
NOMBRES = frozenset(
    {
        "annee",
        "commentaires",
        "criteres",
        "criteres_crees",
        "criteres_modifies",
        "criteres_transversaux",
        "effectif",
        "lignes",
        "livrets",
        "medias",
        "niveau",
        "nombre",
        "ordre",
        "rang",
        "ressources",
        "resultats",
        "resultats_supprimes",
        "semaines",
        "session",
        "taches",
        "taille",
    }
)

Correspondance = Callable[[str, object], object]


def _entier(valeur) -> bool:
    return isinstance(valeur, int) and not isinstance(valeur, bool)


def _convertir(valeur, label: str, correspondre: Correspondance):
    if _entier(valeur) or isinstance(valeur, dict) and set(valeur) == {"cle"}:
        return correspondre(label, valeur)
    if isinstance(valeur, list):
        return [_convertir(v, label, correspondre) for v in valeur]
    return valeur


def renumeroter(valeur, correspondre: Correspondance):
    """`valeur` (a JSON document) with every declared id passed through
    `correspondre(label, id)`; undeclared keys and non-integer values are left alone."""
    if isinstance(valeur, list):
        return [renumeroter(v, correspondre) for v in valeur]
    if not isinstance(valeur, dict):
        return valeur
    resultat = {}
    for cle, v in valeur.items():
        if cle in IDS:
            v = _convertir(v, IDS[cle], correspondre)
        elif cle in IDS_EN_CLES and isinstance(v, dict):
            label = IDS_EN_CLES[cle]
            v = {
                (
                    str(correspondre(label, int(k)))
                    if k.isdigit() and correspondre(label, int(k)) is not None
                    else k
                ): renumeroter(sous, correspondre)
                for k, sous in v.items()
            }
        else:
            v = renumeroter(v, correspondre)
        resultat[cle] = v
    return resultat


def cles_entieres_non_declarees(valeur, chemin: str = "") -> list[str]:
    """Paths of the integer values of `valeur` under a key declared neither as an id nor as a
    number (what the coverage test reports)."""
    trouvees = []
    if isinstance(valeur, dict):
        for cle, v in valeur.items():
            if cle in IDS or cle in IDS_EN_CLES:
                continue
            sous = f"{chemin}.{cle}" if chemin else cle
            if _entier(v) or isinstance(v, list) and any(_entier(x) for x in v):
                if cle not in NOMBRES:
                    trouvees.append(sous)
            else:
                trouvees += cles_entieres_non_declarees(v, sous)
    elif isinstance(valeur, list):
        for v in valeur:
            trouvees += cles_entieres_non_declarees(v, chemin)
    return trouvees
