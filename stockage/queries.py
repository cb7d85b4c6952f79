"""What a user may see of the espace de stockage (visibility lives here, with the page's reads).

A space, folder or file the request's membership may not open (someone else's personal space,
a shared space of a diplôme he does not manage, another establishment's) answers 404: its
existence is not revealed. Writing is asked by the services (`regles.peut_ecrire`, 403)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import Http404

from cpro import perms
from cpro.models import Role
from cpro.tenancy import diplomes_accessibles
from evaluations.queries import evaluations_du_module
from scenarios.models import Scenario
from stockage.models import Dossier, Espace, Fichier
from stockage.regles import peut_ecrire


def _lisible(request, objet):
    if objet is None or not perms.peut(request.membership, perms.UTILISER_STOCKAGE, objet):
        raise Http404("Élément de stockage introuvable")
    return objet


def espace_pour(request, pk) -> Espace:
    """A space of the establishment the request may open (else 404)."""
    espace = (
        Espace.objects.filter(pk=pk, etablissement=request.etablissement)
        .select_related("diplome", "etablissement")
        .first()
    )
    return _lisible(request, espace)


def dossier_pour(request, pk) -> Dossier:
    """A folder of a space the request may open (else 404)."""
    dossier = (
        Dossier.objects.filter(pk=pk, etablissement=request.etablissement)
        .select_related("espace__diplome", "etablissement", "parent")
        .first()
    )
    return _lisible(request, dossier)


def fichier_pour(request, pk) -> Fichier:
    """A file of a space the request may open (else 404)."""
    fichier = (
        Fichier.objects.filter(pk=pk, etablissement=request.etablissement)
        .select_related("espace__diplome", "etablissement", "dossier")
        .first()
    )
    return _lisible(request, fichier)


def dossier_de_l_espace(espace: Espace, pk) -> Dossier | None:
    """The folder `pk` of `espace` (a destination chosen in a form), None for the root (empty
    value); a folder of any other space → 404."""
    if pk in (None, ""):
        return None
    dossier = Dossier.objects.filter(pk=pk, espace=espace).select_related("parent").first()
    if dossier is None:
        raise Http404("Dossier introuvable dans cet espace")
    return dossier


# --- quota -----------------------------------------------------------------------------------


@dataclass
class Quota:
    utilise: int
    total: int

    @property
    def pourcentage(self) -> int:
        return min(100, round(100 * self.utilise / self.total)) if self.total else 100

    @property
    def libelle(self) -> str:
        from stockage.services import en_mo

        return f"{en_mo(self.utilise)} utilisés sur {en_mo(self.total)}"

    @property
    def presque_plein(self) -> bool:
        return self.pourcentage >= 90


def quota_de(request) -> Quota:
    """What the request's user has stored in the establishment against his quota (1 query)."""
    total = Fichier.objects.filter(
        etablissement=request.etablissement, depose_par=request.user
    ).aggregate(t=Sum("taille"))["t"]
    return Quota(utilise=total or 0, total=settings.STOCKAGE_QUOTA_OCTETS)


# --- the page of a space or a folder ---------------------------------------------------------


@dataclass
class PageEspace:
    espace: Espace
    dossier: Dossier | None  # the open folder (None: the root)
    chemin: list  # the open folder's ancestors then itself
    sous_dossiers: list
    fichiers: list
    destinations: list  # [(pk or "", label)] every folder of the space, with its path
    ecriture: bool
    descendants_interdits: dict = field(default_factory=dict)  # folder pk → {pk it may not go to}


def _chemins(dossiers: list[Dossier]) -> dict:
    """folder pk → [ancestors…, itself] from one list of a space's folders."""
    par_pk = {d.pk: d for d in dossiers}
    chemins = {}
    for d in dossiers:
        chaine, courant, vus = [], d, set()
        while courant is not None and courant.pk not in vus:
            vus.add(courant.pk)
            chaine.append(courant)
            courant = par_pk.get(courant.parent_id)
        chemins[d.pk] = list(reversed(chaine))
    return chemins


def page_espace(request, espace: Espace, dossier: Dossier | None = None) -> PageEspace:
    """The content of a space's root or of one of its folders, with the breadcrumb and the
    move destinations: 3 queries whatever the number of folders and files."""
    dossiers = list(
        Dossier.objects.filter(espace=espace)
        .annotate(nb_fichiers=Count("fichiers", distinct=True))
        .order_by("nom", "pk")
    )
    chemins = _chemins(dossiers)
    ouvert = dossier.pk if dossier else None
    sous = [d for d in dossiers if d.parent_id == ouvert]
    enfants: dict = {}
    for d in dossiers:
        enfants.setdefault(d.parent_id, []).append(d.pk)
    for d in sous:
        d.nb_sous_dossiers = len(enfants.get(d.pk, []))
    interdits = {}
    for d in sous:
        bloques, pile = {d.pk}, [d.pk]
        while pile:
            for e in enfants.get(pile.pop(), []):
                bloques.add(e)
                pile.append(e)
        interdits[d.pk] = bloques
    fichiers = list(
        Fichier.objects.filter(espace=espace, dossier=dossier)
        .select_related("depose_par")
        .order_by("nom", "pk")
    )
    destinations = [("", "Racine de l'espace")] + sorted(
        ((d.pk, " / ".join(x.nom for x in chemins[d.pk])) for d in dossiers),
        key=lambda c: c[1].casefold(),
    )
    for d in sous:
        d.destinations = [c for c in destinations if c[0] not in interdits[d.pk]]
    return PageEspace(
        espace=espace,
        dossier=dossier,
        chemin=chemins.get(ouvert, []) if dossier else [],
        sous_dossiers=sous,
        fichiers=fichiers,
        destinations=destinations,
        ecriture=peut_ecrire(request.membership, espace),
        descendants_interdits=interdits,
    )


def resume_espaces(espaces: list[Espace]) -> list[Espace]:
    """Each space with its number of files and bytes (1 query)."""
    stats = {
        r["espace_id"]: r
        for r in Fichier.objects.filter(espace__in=espaces)
        .values("espace_id")
        .annotate(n=Count("pk"), octets=Sum("taille"))
    }
    for e in espaces:
        e.nb_fichiers = stats.get(e.pk, {}).get("n", 0)
        e.octets = stats.get(e.pk, {}).get("octets", 0) or 0
    return espaces


# --- attaching to scénarios and évaluations --------------------------------------------------


def scenarios_modifiables(request):
    """The scénarios of the chosen diplôme whose resources the request's user may change (his
    own: only the author edits a scénario)."""
    return (
        Scenario.objects.filter(
            etablissement=request.etablissement, diplome=request.diplome, auteur=request.user
        )
        .order_by("niveau", "titre", "pk")
        .only("pk", "titre", "niveau")
    )


def evaluations_modifiables(request):
    """The évaluations of the chosen diplôme the request's membership may change (author,
    evaluating teachers, DDFPT: evaluations.regles), unlocked."""
    qs = evaluations_du_module(request).filter(verrouillee=False)
    if request.membership.role != Role.DDFPT:
        qs = qs.filter(Q(auteur=request.user) | Q(enseignants=request.user)).distinct()
    return qs.order_by("titre", "pk").only("pk", "titre", "niveau")


def espaces_lisibles(request) -> list[Espace]:
    """The spaces the request's membership may open that exist: its own and the shared ones of
    its diplômes (every diplôme for the DDFPT and the chef). Read only: 1 query."""
    m = request.membership
    qs = Espace.objects.filter(etablissement=request.etablissement).filter(
        Q(membership=m) | Q(diplome__in=diplomes_accessibles(m))
    )
    return [e for e in qs.select_related("diplome") if perms.peut(m, perms.UTILISER_STOCKAGE, e)]


def fichiers_lisibles(request, espaces: list[Espace]):
    """Every file of `espaces` (already checked readable), with its space and folder path for
    the chooser: 2 queries."""
    fichiers = list(
        Fichier.objects.filter(espace__in=espaces, etablissement=request.etablissement)
        .select_related("espace__diplome")
        .order_by("espace_id", "nom", "pk")
    )
    chemins = _chemins(list(Dossier.objects.filter(espace__in=espaces)))
    for f in fichiers:
        f.chemin = " / ".join(d.nom for d in chemins.get(f.dossier_id, []))
    return fichiers
