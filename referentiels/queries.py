"""Read side of the référentiel: what the browser and the printed référentiel show.

`referentiel_complet(diplome)` runs a fixed number of queries whatever the size of the
référentiel (pinned by tests/referentiels/test_queries.py).
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from referentiels.models import (
    Activite,
    Competence,
    CompetenceLSL,
    Critere,
    Diplome,
    GrilleCCF,
    GroupeCompetences,
    LienTacheCompetence,
    NatureReferentiel,
    Tache,
    Unite,
)


@dataclass
class LigneMatrice:
    tache: Tache
    cellules: list  # (competence, LienTacheCompetence or None), in column order


@dataclass
class ReferentielComplet:
    diplome: Diplome
    unites: list
    activites: list
    groupes: list
    grilles: list
    competences_lsl: list
    competences: list  # every competence, in display order (the matrix columns)
    matrice: list  # LigneMatrice per task, grouped by activité

    @property
    def nb_taches(self) -> int:
        return len(self.matrice)

    @property
    def nb_criteres(self) -> int:
        return sum(len(c.criteres.all()) for c in self.competences)


def referentiel_complet(diplome: Diplome) -> ReferentielComplet:
    """The whole référentiel of a diplôme, prefetched: 12 queries, whatever its size."""
    unites = list(Unite.objects.filter(diplome=diplome))
    activites = list(
        Activite.objects.filter(diplome=diplome).prefetch_related(
            Prefetch("taches", queryset=Tache.objects.order_by("ordre", "code"))
        )
    )
    criteres = Critere.objects.order_by("ordre", "code").prefetch_related("indicateurs")
    groupes = list(
        GroupeCompetences.objects.filter(diplome=diplome)
        .select_related("unite")
        .prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.order_by("ordre", "code").prefetch_related(
                    Prefetch("criteres", queryset=criteres)
                ),
            )
        )
    )
    grilles = list(
        GrilleCCF.objects.filter(diplome=diplome)
        .select_related("unite")
        .prefetch_related(
            Prefetch("competences", queryset=Competence.objects.order_by("code").only("code"))
        )
    )
    competences_lsl = list(
        CompetenceLSL.objects.filter(diplome=diplome).prefetch_related(
            Prefetch("competences", queryset=Competence.objects.order_by("code").only("code"))
        )
    )
    liens = {
        (lien.tache_id, lien.competence_id): lien
        for lien in LienTacheCompetence.objects.filter(tache__diplome=diplome)
    }
    competences = [c for g in groupes for c in g.competences.all()]
    matrice = []
    for a in activites:
        for tache in a.taches.all():
            cellules = [(c, liens.get((tache.pk, c.pk))) for c in competences]
            # The activities tab lists, under each task, the competences it mobilises.
            tache.competences_liees = [(c, lien) for c, lien in cellules if lien]
            matrice.append(LigneMatrice(tache, cellules))
    return ReferentielComplet(
        diplome=diplome,
        unites=unites,
        activites=activites,
        groupes=groupes,
        grilles=grilles,
        competences_lsl=competences_lsl,
        competences=competences,
        matrice=matrice,
    )


def diplomes_charges():
    """Every loaded (official) diplôme version, with the establishments that prepare it; the
    establishments' transversal référentiels are never listed here."""
    return (
        Diplome.objects.filter(nature=NatureReferentiel.DIPLOME)
        .prefetch_related("etablissements")
        .order_by("intitule_court", "code", "-version")
    )


def diplome_de_l_etablissement(etablissement, pk) -> Diplome:
    """A diplôme prepared by this establishment (another one → 404)."""
    return get_object_or_404(etablissement.diplomes.all(), pk=pk)
