"""What the bench measures in an establishment of `bench.generer`: the teacher, the division,
the learner, the évaluation and its first criterion, the draft bilan, the CCF grids.

`choisir(slug)` is used in process by `bench.scenarios`; `bench.http` runs this file as a
script (`python -c`, current directory = the copy of the code measured, so the models are that
copy's: it only uses models and fields that exist since the bench was written) to get the ids as
JSON and, with `--zip N`, to time the ZIP export of the division's locked CCF grids:

    python -c "<source of this file>" SLUG [--zip N]
"""

import json
import sys
from dataclasses import dataclass


@dataclass
class Choix:
    etab: object
    prof: object  # Membership
    ddfpt: object  # Membership or None
    diplome: object
    annee: object
    divisions: object  # queryset: current divisions of the diplôme
    division: object
    apprenant: object
    nb_resultats_apprenant: int
    nb_eleves: int
    evaluation: object  # annotated with nb_criteres
    critere: object
    brouillon: object  # draft bilan or None
    bilan_pdf: object  # validated (else draft) bilan or None
    session: int
    grille: object  # GrilleCCF of the bench's épreuve or None
    nb_verrouillees: int  # locked grids of the division

    def identifiants(self) -> dict:
        """The ids and the URLs (reversed by this copy of the code) as plain data."""
        from django.urls import reverse

        from bench.generer import MOT_DE_PASSE

        slug = self.etab.slug
        ev = {"etab": slug, "pk": self.evaluation.pk}
        return {
            "etablissement": slug,
            "prof": self.prof.user.username,
            "mot_de_passe": MOT_DE_PASSE,
            "chemins": {
                "connexion": f"/{slug}/",
                "accueil": f"/{slug}/accueil/",
                "tableau": reverse("bilans:tableau", kwargs={"etab": slug}),
                "classes": reverse("bilans:vue_classes", kwargs={"etab": slug}),
                "grille": reverse("evaluations:grille", kwargs=ev),
                "saisie": reverse("evaluations:saisir", kwargs=ev),
                "bilan": reverse(
                    "bilans:bilan_modifier", kwargs={"etab": slug, "pk": self.brouillon.pk}
                )
                if self.brouillon
                else None,
            },
            "division": self.division.pk,
            "apprenant": self.apprenant.pk,
            "evaluation": self.evaluation.pk,
            "nb_criteres": self.evaluation.nb_criteres,
            "critere": self.critere.pk,
            "brouillon": self.brouillon.pk if self.brouillon else None,
            "nb_eleves": self.nb_eleves,
            "nb_verrouillees": self.nb_verrouillees,
        }


def choisir(slug: str) -> Choix | None:
    """The first current Terminale division (else the first division), and in it the learner
    with a draft bilan and a livret (when there are) who has the most résultats; the unlocked
    évaluation of that learner with the most criteria. None if the establishment is absent."""
    from django.db.models import Count, Q

    from bench.generer import EPREUVE_CCF, _prefixe
    from bilans.models import BilanIntermediaire
    from certification.models import GrilleCandidat
    from cpro.models import AnneeScolaire, Apprenant, Division, Etablissement, Membership, Statut
    from evaluations.models import Evaluation, Resultat
    from referentiels.models import GrilleCCF, Niveau

    etab = Etablissement.objects.filter(slug=slug).first()
    if etab is None:
        return None
    prefixe = _prefixe(slug)
    prof = Membership.objects.select_related("user").get(
        etablissement=etab, user__username=f"{prefixe}prof"
    )
    ddfpt = (
        Membership.objects.select_related("user")
        .filter(etablissement=etab, user__username=f"{prefixe}ddfpt")
        .first()
    )
    diplome = prof.diplomes.get()
    annee = AnneeScolaire.courante()
    divisions = Division.objects.filter(etablissement=etab, annee=annee, diplome=diplome)
    division = (
        divisions.filter(niveau=Niveau.TERMINALE).order_by("nom").first()
        or divisions.order_by("nom").first()
    )
    eleves = Apprenant.objects.filter(division=division).annotate(
        brouillons=Count(
            "bilans", filter=Q(bilans__statut=BilanIntermediaire.Statut.BROUILLON), distinct=True
        ),
        nb_livrets=Count("livrets", distinct=True),
    )
    preferes = eleves.filter(brouillons__gt=0, nb_livrets__gt=0, statut=Statut.SCOLAIRE)
    ids = list((preferes if preferes.exists() else eleves).values_list("pk", flat=True))
    ligne = (
        Resultat.objects.filter(apprenant__in=ids)
        .values("apprenant")
        .annotate(n=Count("pk"))
        .order_by("-n", "apprenant")
        .first()
    )
    apprenant = Apprenant.objects.select_related("division").get(pk=ligne["apprenant"])
    evaluation = (
        Evaluation.objects.filter(
            etablissement=etab,
            annee=division.annee,
            participants__apprenant=apprenant,
            verrouillee=False,
        )
        .annotate(nb_criteres=Count("criteres", distinct=True))
        .order_by("-nb_criteres", "-date", "pk")
        .first()
    )
    bilans = BilanIntermediaire.objects.filter(apprenant=apprenant)
    session = annee.debut + 1
    grille = GrilleCCF.objects.filter(diplome=diplome, epreuve=EPREUVE_CCF).first()
    return Choix(
        etab=etab,
        prof=prof,
        ddfpt=ddfpt,
        diplome=diplome,
        annee=annee,
        divisions=divisions,
        division=division,
        apprenant=apprenant,
        nb_resultats_apprenant=ligne["n"],
        nb_eleves=division.apprenants.count(),
        evaluation=evaluation,
        critere=evaluation.criteres.order_by("pk").first(),
        brouillon=bilans.filter(statut=BilanIntermediaire.Statut.BROUILLON)
        .order_by("-date", "-pk")
        .first(),
        bilan_pdf=bilans.order_by("-statut", "-date", "-pk").first(),  # VALIDE before BROUILLON
        session=session,
        grille=grille,
        nb_verrouillees=GrilleCandidat.objects.filter(
            apprenant__division=division,
            grille=grille,
            session=session,
            statut=GrilleCandidat.Statut.VERROUILLEE,
        ).count(),
    )


def travail_zip(choix: Choix):
    """The ZIP export of the division's locked grids, as `bench.scenarios` times it."""
    from bench.generer import EPREUVE_CCF
    from bench.scenarios import Travail

    return Travail(
        "zip",
        f"ZIP des grilles CCF {EPREUVE_CCF} d'une division",
        "grilles_ccf_zip",
        {"division": choix.division.pk, "epreuve": choix.grille.pk, "session": choix.session},
        choix.prof.user,
    )


def main(argv: list[str]) -> int:
    import logging

    from bench import setup_django

    setup_django()
    for bavard in ("weasyprint", "fontTools"):
        logging.getLogger(bavard).setLevel(logging.WARNING)
    slug = argv[0]
    choix = choisir(slug)
    if choix is None:
        print(json.dumps({"erreur": f"établissement « {slug} » absent"}))
        return 1
    sortie = choix.identifiants()
    if "--zip" in argv and choix.nb_verrouillees:
        from bench.scenarios import mesurer_travail

        repetitions = int(argv[argv.index("--zip") + 1])
        mesure = mesurer_travail(travail_zip(choix), choix.etab, repetitions)
        sortie["zip"] = {"ms": mesure.mur, "cpu_ms": mesure.cpu, "sql": mesure.requetes}
        sortie["zip"]["taille"] = mesure.detail
    print("BENCH-JSON " + json.dumps(sortie))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
