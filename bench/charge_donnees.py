"""Add the load test's teachers to an establishment built by `bench.generer`.

    DEBUG=1 python -m bench.charge_donnees --etablissement lp-charge --enseignants 50 \
        --plan /tmp/cpro-charge/plan.json [--reset]

Creates N teacher accounts `bench-<slug>-prof-01…NN` (password of `bench.generer`, one hash
reused), each an ENSEIGNANT of the establishment managing its diplôme, each an evaluating
teacher (`Evaluation.enseignants`) of every current-year évaluation of 2 divisions (so ~11
teachers share a division and saves can hit the same grid at once), plus 4 scénarios per
teacher (1 in 4 private, half of them in one of 6 shared folders, 4–8 criteria each), all
with bulk inserts. Writes the plan read by `bench/charge.py` (JSON: accounts, their
divisions' learners, their évaluations' criteria). The accounts share the `bench-<slug>-`
prefix, so `bench.generer --reset` removes them with the establishment. `--reset` here removes
only these accounts and their scénarios/folders first; without it the command refuses to run
when they exist.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from bench import setup_django

NB_DIVISIONS_PAR_ENSEIGNANT = 2
SCENARIOS_PAR_ENSEIGNANT = 4
NB_DOSSIERS = 6
PREFIXE_SCENARIO = "Charge – "


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etablissement", default="lp-charge", help="slug (default lp-charge)")
    parser.add_argument("--enseignants", type=int, default=50)
    parser.add_argument("--plan", required=True, help="JSON file written for bench/charge.py")
    parser.add_argument("--reset", action="store_true", help="delete these accounts first")
    return parser.parse_args(argv)


def prefixe_enseignants(slug: str) -> str:
    from bench.generer import _prefixe

    return f"{_prefixe(slug)}prof-"


def supprimer(etab) -> int:
    """Remove the load-test accounts of `etab`, their scénarios and folders."""
    from cpro.models import User
    from scenarios.models import Dossier, Scenario

    Scenario.objects.filter(etablissement=etab, titre__startswith=PREFIXE_SCENARIO).delete()
    Dossier.objects.filter(etablissement=etab, nom__startswith=PREFIXE_SCENARIO).delete()
    n, _ = User.objects.filter(username__startswith=prefixe_enseignants(etab.slug)).delete()
    return n


def ajouter(etab, nb_enseignants: int) -> dict:
    """Create the accounts, their évaluations and scénarios; return the plan (JSON-ready)."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from bench.generer import DIPLOME, MOT_DE_PASSE
    from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role, User
    from demo.socle import NOMS, PRENOMS
    from evaluations.models import Evaluation, Participant
    from referentiels.models import Critere
    from scenarios.models import Dossier, Scenario

    if nb_enseignants < 1:
        raise SystemExit("Il faut au moins un enseignant.")
    diplome = etab.diplomes.get(code=DIPLOME)
    annee = AnneeScolaire.courante()
    divisions = list(
        Division.objects.filter(etablissement=etab, annee=annee, diplome=diplome).order_by("pk")
    )
    if not divisions:
        raise SystemExit(f"Aucune division de l'année courante dans « {etab.slug} ».")
    apprenants = {d.pk: [] for d in divisions}
    for pk, division_id in (
        Apprenant.objects.filter(division__in=divisions)
        .order_by("pk")
        .values_list("pk", "division_id")
    ):
        apprenants[division_id].append(pk)
    # An évaluation's division: the one of its participants (bench.generer: one per évaluation).
    evaluations: dict[int, dict] = {}
    for ev_id, division_id in (
        Participant.objects.filter(
            evaluation__etablissement=etab,
            evaluation__annee=annee,
            evaluation__verrouillee=False,
            apprenant__division__in=divisions,
        )
        .values_list("evaluation_id", "apprenant__division_id")
        .distinct()
    ):
        evaluations[ev_id] = {"division": division_id, "criteres": []}
    Crit = Evaluation.criteres.through
    for ev_id, critere_id in Crit.objects.filter(evaluation_id__in=evaluations).values_list(
        "evaluation_id", "critere_id"
    ):
        evaluations[ev_id]["criteres"].append(critere_id)
    par_division: dict[int, list[int]] = {d.pk: [] for d in divisions}
    for ev_id, ev in sorted(evaluations.items()):
        par_division[ev["division"]].append(ev_id)

    rng = random.Random(f"cpro-charge-{etab.slug}")
    criteres = list(
        Critere.objects.filter(competence__diplome=diplome).values_list("pk", flat=True)
    )
    niveaux = [n for n in diplome.niveaux if n] or ["PREMIERE"]
    prefixe = prefixe_enseignants(etab.slug)
    largeur = max(2, len(str(nb_enseignants)))
    plan_enseignants = []
    with transaction.atomic():
        pwd = make_password(MOT_DE_PASSE)
        users = User.objects.bulk_create(
            User(
                username=f"{prefixe}{i:0{largeur}d}",
                first_name=rng.choice(PRENOMS),
                last_name=rng.choice(NOMS),
                email=f"{prefixe}{i:0{largeur}d}@bench.cpro.invalid",
                password=pwd,
            )
            for i in range(1, nb_enseignants + 1)
        )
        memberships = Membership.objects.bulk_create(
            Membership(user=u, etablissement=etab, role=Role.ENSEIGNANT) for u in users
        )
        MDip = Membership.diplomes.through
        MDip.objects.bulk_create(
            MDip(membership_id=m.pk, diplome_id=diplome.pk) for m in memberships
        )

        Ens = Evaluation.enseignants.through
        liens = []
        nb = len(divisions)
        for i, user in enumerate(users):
            # NB_DIVISIONS_PAR_ENSEIGNANT = 2 divisions each: the i-th and the (i + nb//2 + 1)-th.
            choix = sorted({divisions[i % nb].pk, divisions[(i + nb // 2 + 1) % nb].pk})
            siennes = [ev for d in choix for ev in par_division[d]]
            liens.extend(Ens(evaluation_id=ev, user_id=user.pk) for ev in siennes)
            plan_enseignants.append(
                {"username": user.username, "divisions": choix, "evaluations": siennes}
            )
        Ens.objects.bulk_create(liens, batch_size=5000, ignore_conflicts=True)

        dossiers = Dossier.objects.bulk_create(
            Dossier(
                etablissement=etab,
                diplome=diplome,
                niveau=niveaux[k % len(niveaux)],
                nom=f"{PREFIXE_SCENARIO}dossier {k + 1}",
                cree_par=users[k % len(users)],
            )
            for k in range(NB_DOSSIERS)
        )
        scenarios, choisis = [], []
        for i, user in enumerate(users):
            for k in range(SCENARIOS_PAR_ENSEIGNANT):
                dossier = rng.choice(dossiers) if k % 2 == 0 else None
                scenarios.append(
                    Scenario(
                        etablissement=etab,
                        auteur=user,
                        diplome=diplome,
                        niveau=dossier.niveau if dossier else niveaux[(i + k) % len(niveaux)],
                        titre=f"{PREFIXE_SCENARIO}situation {k + 1} de {user.username}",
                        contexte="Scénario du test de charge.",
                        prive=k == SCENARIOS_PAR_ENSEIGNANT - 1,
                        dossier=dossier,
                    )
                )
                choisis.append(rng.sample(criteres, min(len(criteres), rng.randint(4, 8))))
        Scenario.objects.bulk_create(scenarios, batch_size=1000)
        SCrit = Scenario.criteres.through
        SCrit.objects.bulk_create(
            (
                SCrit(scenario_id=s.pk, critere_id=c)
                for s, cs in zip(scenarios, choisis, strict=True)
                for c in cs
            ),
            batch_size=5000,
        )

    return {
        "etablissement": etab.slug,
        "mot_de_passe": MOT_DE_PASSE,
        "diplome": diplome.pk,
        "enseignants": plan_enseignants,
        "divisions": {str(d): {"apprenants": apprenants[d]} for d in apprenants},
        "evaluations": {str(ev): data for ev, data in evaluations.items()},
        "comptes": {
            "enseignants": len(users),
            "liens évaluation–enseignant": len(liens),
            "scénarios": len(scenarios),
            "dossiers": len(dossiers),
        },
    }


def main(argv=None) -> int:
    args = _arguments(argv)
    setup_django()
    from cpro.models import Etablissement, User

    etab = Etablissement.objects.filter(slug=args.etablissement).first()
    if etab is None:
        print(
            f"Établissement « {args.etablissement} » absent : lancez d'abord « python -m "
            f"bench.generer --etablissement {args.etablissement} ».",
            file=sys.stderr,
        )
        return 1
    if User.objects.filter(username__startswith=prefixe_enseignants(etab.slug)).exists():
        if not args.reset:
            print(
                "Les comptes du test de charge existent déjà : relancez avec --reset.",
                file=sys.stderr,
            )
            return 1
        supprimer(etab)
    t0 = time.perf_counter()
    plan = ajouter(etab, args.enseignants)
    duree = time.perf_counter() - t0
    chemin = Path(args.plan)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    print(f"Comptes du test de charge ajoutés à « {etab.slug} » en {duree:.1f} s :")
    for cle, valeur in plan["comptes"].items():
        print(f"  {cle:>28} : {valeur}")
    premier, dernier = plan["enseignants"][0], plan["enseignants"][-1]
    print(f"Enseignants : {premier['username']} … {dernier['username']} / {plan['mot_de_passe']}")
    print(f"Plan écrit dans {chemin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
