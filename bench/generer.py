"""Build a large establishment for the bench, quickly (bulk_create).

    DEBUG=1 python -m bench.generer --apprenants 300 --annees 1 [--etablissement lp-bench]
    [--reset]

Establishment "Lycée professionnel de charge" offering MCV-A; divisions of 35 learners,
alternately Première and Terminale; one teacher (login `bench-prof`); per division and per
school year about 60 évaluations on 4–8 criteria, every learner of the division taking part,
a résultat for (almost) every participant × criterion; a few draft bilans (current year).
With --annees N > 1, the N-1 previous school years get their own divisions (same learners,
niveau one step lower when there is one) and their own évaluations, so that dashboards span
several years. Refuses to run if the establishment exists, unless --reset (which deletes it,
its data and its bench users first).
"""

import argparse
import datetime
import random
import sys
import time

from bench import setup_django

TAILLE_DIVISION = 35
EVALUATIONS_PAR_DIVISION = 60
BILANS_PAR_DIVISION = 3
MOT_DE_PASSE = "cpro-bench-2026"  # noqa: S105 — bench data only
PREFIXE = "bench-"
DIPLOME = "MCV-A"


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apprenants", type=int, default=300)
    parser.add_argument("--annees", type=int, default=1)
    parser.add_argument("--etablissement", default="lp-bench", help="slug (default lp-bench)")
    parser.add_argument("--reset", action="store_true", help="delete the establishment first")
    return parser.parse_args(argv)


def _prefixe(slug: str) -> str:
    return f"{PREFIXE}{slug}-" if slug != "lp-bench" else PREFIXE


def supprimer(slug: str) -> None:
    from cpro.models import Etablissement, User

    Etablissement.objects.filter(slug=slug).delete()
    User.objects.filter(username__startswith=_prefixe(slug)).delete()


def _uai(slug: str) -> str:
    """A free, valid-looking UAI for the bench establishment (0699 + 3 digits + letter)."""
    from cpro.models import Etablissement

    pris = set(Etablissement.objects.values_list("uai", flat=True))
    for n in range(800, 1000):
        uai = f"0699{n:03d}B"
        if uai not in pris:
            return uai
    raise SystemExit("Aucun UAI libre pour l'établissement de charge.")


def generer(slug: str, nb_apprenants: int, nb_annees: int) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from cpro.demo import NOMS, PRENOMS
    from cpro.models import (
        AnneeScolaire,
        Apprenant,
        Division,
        Etablissement,
        Membership,
        Role,
        Statut,
        User,
    )
    from evaluations.demo import _niveau
    from evaluations.models import Evaluation, Nature, Participant, Resultat
    from referentiels.models import Critere, Diplome, Niveau

    diplome = Diplome.objects.filter(code=DIPLOME, actif=True).first()
    if diplome is None:
        print("Référentiels absents : chargement (charger_referentiels)…")
        call_command("charger_referentiels")
        diplome = Diplome.objects.get(code=DIPLOME, actif=True)
    rng = random.Random(f"cpro-bench-{slug}")
    aujourd_hui = timezone.localdate()
    prefixe = _prefixe(slug)
    comptes: dict[str, int] = {}

    with transaction.atomic():
        etab = Etablissement.objects.create(
            uai=_uai(slug),
            nom="Lycée professionnel de charge",
            slug=slug,
            ville="Lyon",
            academie="Lyon",
            book_active=True,
        )
        etab.diplomes.set([diplome])
        pwd = make_password(MOT_DE_PASSE)

        # The teacher.
        prof_user = User.objects.create(
            username=f"{prefixe}prof",
            first_name="Bench",
            last_name="Professeur",
            email=f"{prefixe}prof@bench.cpro.invalid",
            password=pwd,
        )
        prof = Membership.objects.create(user=prof_user, etablissement=etab, role=Role.ENSEIGNANT)
        prof.diplomes.set([diplome])

        # Divisions of the current year and their learners.
        annees = [AnneeScolaire.courante(aujourd_hui)]
        for k in range(1, nb_annees):
            annees.append(AnneeScolaire.objects.get_or_create(debut=annees[0].debut - k)[0])
        nb_divisions = max(1, -(-nb_apprenants // TAILLE_DIVISION))
        niveaux = [Niveau.PREMIERE, Niveau.TERMINALE]
        courantes = Division.objects.bulk_create(
            Division(
                etablissement=etab,
                annee=annees[0],
                nom=f"{'1' if niveaux[i % 2] == Niveau.PREMIERE else 'T'}CHARGE{i // 2 + 1}",
                diplome=diplome,
                niveau=niveaux[i % 2],
            )
            for i in range(nb_divisions)
        )
        users = User.objects.bulk_create(
            User(
                username=f"{prefixe}{i:05d}",
                first_name=rng.choice(PRENOMS),
                last_name=rng.choice(NOMS),
                password=pwd,
            )
            for i in range(nb_apprenants)
        )
        memberships = Membership.objects.bulk_create(
            Membership(user=u, etablissement=etab, role=Role.APPRENANT) for u in users
        )
        apprenants = Apprenant.objects.bulk_create(
            Apprenant(
                membership=m,
                etablissement=etab,
                division=courantes[i // TAILLE_DIVISION],
                statut=Statut.APPRENTI if i % 7 == 0 else Statut.SCOLAIRE,
                eleve_id=str(9000000 + i),
                date_naissance=datetime.date(annees[0].debut - 16, 1 + i % 12, 1 + i % 28),
            )
            for i, m in enumerate(memberships)
        )
        comptes["apprenants"] = len(apprenants)
        par_division: dict[int, list] = {}
        for a in apprenants:
            par_division.setdefault(a.division_id, []).append(a)

        # Past years: divisions with the same learners, one niveau lower when possible.
        plan = []  # (division, annee, niveau, learners)
        for k, annee in enumerate(annees):
            for courante in courantes:
                division, niveau = courante, courante.niveau
                if k > 0:
                    ordre = [Niveau.SECONDE, Niveau.PREMIERE, Niveau.TERMINALE]
                    niveau = ordre[max(0, ordre.index(division.niveau) - k)]
                    division = Division.objects.create(
                        etablissement=etab,
                        annee=annee,
                        nom=f"{division.nom}-{annee.debut}",
                        diplome=diplome,
                        niveau=niveau,
                    )
                plan.append((division, annee, niveau, par_division[courante.pk]))
        comptes["divisions"] = len(plan)

        criteres = list(
            Critere.objects.filter(competence__diplome=diplome)
            .select_related("competence__groupe__unite")
            .order_by("competence__groupe__ordre", "competence__ordre", "ordre", "code")
        )
        capacites = {a.pk: rng.gauss(1.9, 0.55) for a in apprenants}
        evaluations = []
        meta = []  # (evaluation, learners, criteria, progress)
        for division, annee, niveau, eleves in plan:
            debut = datetime.date(annee.debut, 9, 15)
            fin = min(datetime.date(annee.debut + 1, 6, 30), aujourd_hui)
            if fin <= debut:
                fin = debut + datetime.timedelta(days=EVALUATIONS_PAR_DIVISION * 3)
            pas = (fin - debut) / (EVALUATIONS_PAR_DIVISION - 1)
            for i in range(EVALUATIONS_PAR_DIVISION):
                nature = Nature.COMPLEXE if rng.random() < 0.25 else Nature.INTERMEDIAIRE
                evaluation = Evaluation(
                    etablissement=etab,
                    diplome=diplome,
                    niveau=niveau,
                    annee=annee,
                    titre=f"Situation {i + 1} – {division.nom}",
                    date=debut + pas * i,
                    nature=nature,
                    contexte=f"Évaluation de charge de la division {division.nom}.",
                    auteur=prof_user,
                )
                evaluations.append(evaluation)
                choisis = rng.sample(criteres, min(len(criteres), rng.randint(4, 8)))
                meta.append((evaluation, eleves, choisis, i / (EVALUATIONS_PAR_DIVISION - 1)))
        Evaluation.objects.bulk_create(evaluations, batch_size=1000)
        comptes["évaluations"] = len(evaluations)

        Ens = Evaluation.enseignants.through
        Crit = Evaluation.criteres.through
        Ens.objects.bulk_create(
            (Ens(evaluation_id=e.pk, user_id=prof_user.pk) for e in evaluations), batch_size=5000
        )
        Crit.objects.bulk_create(
            (Crit(evaluation_id=e.pk, critere_id=c.pk) for e, _, cs, _ in meta for c in cs),
            batch_size=5000,
        )

        def participants():
            for e, eleves, _, _ in meta:
                for a in eleves:
                    yield Participant(evaluation=e, apprenant=a)

        def resultats():
            for e, eleves, choisis, progres in meta:
                for a in eleves:
                    for c in choisis:
                        if rng.random() < 0.03:
                            continue  # not entered yet
                        yield Resultat(
                            evaluation=e,
                            apprenant=a,
                            critere=c,
                            niveau=_niveau(rng, capacites[a.pk], progres, e.nature),
                            modifie_par=prof_user,
                        )

        comptes["participants"] = len(
            Participant.objects.bulk_create(list(participants()), batch_size=5000)
        )
        comptes["résultats"] = _bulk_par_lots(Resultat, resultats(), 5000)

    # A few draft bilans, through the service (suggestions computed on the résultats).
    from bilans import services_bilans

    nb_bilans = 0
    with transaction.atomic():
        for division in courantes:
            for apprenant in par_division[division.pk][:BILANS_PAR_DIVISION]:
                services_bilans.creer_bilan(apprenant, par=prof_user, date=aujourd_hui)
                nb_bilans += 1
    comptes["bilans"] = nb_bilans
    return comptes


def _bulk_par_lots(model, objets, taille: int) -> int:
    total, lot = 0, []
    for obj in objets:
        lot.append(obj)
        if len(lot) >= taille:
            model.objects.bulk_create(lot)
            total += len(lot)
            lot = []
    if lot:
        model.objects.bulk_create(lot)
        total += len(lot)
    return total


def main(argv=None) -> int:
    args = _arguments(argv)
    setup_django()
    from django.db import connection

    from cpro.models import Etablissement

    if Etablissement.objects.filter(slug=args.etablissement).exists():
        if not args.reset:
            print(
                f"L'établissement « {args.etablissement} » existe déjà : relancez avec --reset "
                "pour le supprimer et le régénérer.",
                file=sys.stderr,
            )
            return 1
        t0 = time.perf_counter()
        supprimer(args.etablissement)
        print(f"« {args.etablissement} » supprimé ({time.perf_counter() - t0:.1f} s).")
    t0 = time.perf_counter()
    comptes = generer(args.etablissement, args.apprenants, args.annees)
    duree = time.perf_counter() - t0
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Établissement « {args.etablissement} » généré en {duree:.1f} s :")
    for cle, valeur in comptes.items():
        print(f"  {cle:>13} : {valeur}")
    print(f"Enseignant : {_prefixe(args.etablissement)}prof / {MOT_DE_PASSE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
