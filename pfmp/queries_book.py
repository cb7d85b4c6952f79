"""What a user may see of the books (visibility lives here, with the pages' prefetches).

- a learner sees their own book only: another learner's publication or media → 404;
- the team (VOIR_BOOK) sees the books of the learners of the chosen diplôme's divisions in
  their establishment; anything else → 404;
- other roles never get here (403 from the views' permission check).
"""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Division
from pfmp.models import CommentairePublication, MediaPublication, Publication
from referentiels.models import Competence, Tache


def apprenant_connecte(request) -> Apprenant:
    """The learner profile of the request's membership (404 if the account has none)."""
    apprenant = (
        Apprenant.objects.filter(membership=request.membership)
        .select_related("membership__user", "division__diplome", "etablissement")
        .first()
    )
    if apprenant is None:
        raise Http404("Aucun profil apprenant pour ce compte")
    return apprenant


def apprenants_visibles(request):
    """Learners whose book the team member may read: the establishment's learners in a
    division of the chosen diplôme."""
    if request.diplome is None:
        return Apprenant.objects.none()
    return Apprenant.objects.filter(
        etablissement=request.etablissement, division__diplome=request.diplome
    )


def apprenant_pour(request, pk) -> Apprenant:
    apprenant = (
        apprenants_visibles(request)
        .filter(pk=pk)
        .select_related("membership__user", "division__diplome", "etablissement")
        .first()
    )
    if apprenant is None:
        raise Http404("Apprenant introuvable")
    return apprenant


def publications_du_book(apprenant: Apprenant, *, mises_en_avant: bool = False):
    """A learner's publications for the book page and the export: mises en avant first, then
    newest first, with their media, tasks, competences and comments (constant queries)."""
    qs = Publication.objects.filter(apprenant=apprenant)
    if mises_en_avant:
        qs = qs.filter(mise_en_avant=True)
    return qs.order_by("-mise_en_avant", "-date", "-cree_le", "-pk").prefetch_related(
        Prefetch("medias", queryset=MediaPublication.objects.order_by("ordre", "pk")),
        Prefetch("taches", queryset=Tache.objects.order_by("activite__ordre", "ordre", "code")),
        Prefetch(
            "competences",
            queryset=Competence.objects.order_by("groupe__ordre", "ordre", "code"),
        ),
        Prefetch(
            "commentaires",
            queryset=CommentairePublication.objects.select_related("auteur").order_by("cree_le"),
        ),
    )


def _publications_visibles(request):
    qs = Publication.objects.filter(apprenant__etablissement=request.etablissement)
    if perms.MON_BOOK in request.cpro_perms:
        return qs.filter(apprenant__membership=request.membership)
    if perms.VOIR_BOOK in request.cpro_perms:
        return qs.filter(apprenant__in=apprenants_visibles(request))
    return qs.none()


def publication_pour(request, pk) -> Publication:
    """A publication the request's user may read (their own, or a visible learner's), with
    what its page shows."""
    publication = (
        _publications_visibles(request)
        .filter(pk=pk)
        .select_related(
            "apprenant__membership__user",
            "apprenant__division__diplome",
            "apprenant__etablissement",
        )
        .prefetch_related(
            Prefetch("medias", queryset=MediaPublication.objects.order_by("ordre", "pk")),
            "taches",
            "competences",
            Prefetch(
                "commentaires",
                queryset=CommentairePublication.objects.select_related("auteur"),
            ),
        )
        .first()
    )
    if publication is None:
        raise Http404("Publication introuvable")
    return publication


def ma_publication(request, pk) -> Publication:
    """The learner's own publication (another learner's → 404)."""
    publication = (
        Publication.objects.filter(
            pk=pk,
            apprenant__etablissement=request.etablissement,
            apprenant__membership=request.membership,
        )
        .select_related(
            "apprenant__membership__user",
            "apprenant__division__diplome",
            "apprenant__etablissement",
        )
        .prefetch_related("taches", "competences", "medias")
        .first()
    )
    if publication is None:
        raise Http404("Publication introuvable")
    return publication


def media_pour(request, pk) -> MediaPublication:
    """A photo/video of a publication the user may read (visibility re-checked)."""
    media = (
        MediaPublication.objects.filter(pk=pk, publication__in=_publications_visibles(request))
        .select_related("publication__apprenant")
        .first()
    )
    if media is None:
        raise Http404("Média introuvable")
    return media


def mon_media(request, pk) -> MediaPublication:
    media = (
        MediaPublication.objects.filter(
            pk=pk,
            publication__apprenant__etablissement=request.etablissement,
            publication__apprenant__membership=request.membership,
        )
        .select_related(
            "publication__apprenant__membership", "publication__apprenant__etablissement"
        )
        .first()
    )
    if media is None:
        raise Http404("Média introuvable")
    return media


def divisions_du_diplome(request):
    """The current school year's divisions of the chosen diplôme."""
    if request.diplome is None:
        return Division.objects.none()
    return Division.objects.filter(
        etablissement=request.etablissement,
        diplome=request.diplome,
        annee__debut=AnneeScolaire.debut_pour(timezone.localdate()),
    ).order_by("nom")


def page_books(request, division: Division | None):
    """The learners of the chosen diplôme's divisions (or of one division) with the number of
    their publications and mises en avant — one query whatever the number of learners."""
    divisions = divisions_du_diplome(request)
    apprenants = (
        Apprenant.objects.filter(division__in=divisions)
        .select_related("membership__user", "division")
        .annotate(
            nb_publications=Count("publications", distinct=True),
            nb_mises_en_avant=Count(
                "publications", filter=Q(publications__mise_en_avant=True), distinct=True
            ),
        )
        .order_by("division__nom", "membership__user__last_name", "membership__user__first_name")
    )
    if division is not None:
        apprenants = apprenants.filter(division=division)
    return apprenants


def referentiel_groupe(diplome) -> dict:
    """Tasks grouped by activité and competences grouped by bloc, for the checkboxes."""
    if diplome is None:
        return {"taches": Tache.objects.none(), "competences": Competence.objects.none()}
    return {
        "taches": Tache.objects.filter(diplome=diplome)
        .select_related("activite")
        .order_by("activite__ordre", "activite__code", "ordre", "code"),
        "competences": Competence.objects.filter(diplome=diplome)
        .select_related("groupe")
        .order_by("groupe__ordre", "groupe__code", "ordre", "code"),
    }
