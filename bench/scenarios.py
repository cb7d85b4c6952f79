"""Time the heavy pages against the establishment built by `bench.generer`.

    DEBUG=1 python -m bench.scenarios [--repetitions 20] [--etablissement lp-bench]

With the Django test Client (in process, no network, no web server), logged in as the bench
teacher with the diplôme chosen in the session: per page, the median server time over N
requests (time.perf_counter around client.get/post, after one warm-up request) and the number of
SQL queries of one request (CaptureQueriesContext). Prints a Markdown table.
"""

import argparse
import statistics
import sys
import time

from bench import setup_django


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--etablissement", default="lp-bench", help="slug (default lp-bench)")
    return parser.parse_args(argv)


def _mesurer(appel, repetitions: int) -> tuple[float, int, int]:
    """(median ms, queries of one request, HTTP status) of `appel()`."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # With DEBUG on, the query log is a bounded deque: once full, CaptureQueriesContext would
    # see nothing. Start each capture from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        reponse = appel()  # warm-up, and the query count
    if reponse.status_code >= 400:
        raise SystemExit(f"Réponse {reponse.status_code} : {reponse.request['PATH_INFO']}")
    durees = []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        appel()
        durees.append((time.perf_counter() - t0) * 1000)
    return statistics.median(durees), len(ctx.captured_queries), reponse.status_code


def main(argv=None) -> int:
    args = _arguments(argv)
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from bench.generer import _prefixe
    from bilans import queries_tableaux
    from cpro.models import Apprenant, Etablissement, Membership
    from cpro.tenancy import SESSION_DIPLOME
    from evaluations.models import Evaluation, Resultat

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    etab = Etablissement.objects.filter(slug=args.etablissement).first()
    if etab is None:
        print(
            f"Établissement « {args.etablissement} » absent : lancez d'abord "
            "« python -m bench.generer ».",
            file=sys.stderr,
        )
        return 1
    prof = Membership.objects.select_related("user").get(
        etablissement=etab, user__username=f"{_prefixe(etab.slug)}prof"
    )
    diplome = prof.diplomes.get()

    # The learner with the most résultats, their division, its richest évaluation.
    ligne = (
        Resultat.objects.filter(evaluation__etablissement=etab, evaluation__diplome=diplome)
        .values("apprenant")
        .annotate(n=Count("pk"))
        .order_by("-n", "apprenant")
        .first()
    )
    apprenant = Apprenant.objects.select_related("division").get(pk=ligne["apprenant"])
    division = apprenant.division
    nb_eleves = division.apprenants.count()
    evaluation = (
        Evaluation.objects.filter(
            etablissement=etab, annee=division.annee, participants__apprenant=apprenant
        )
        .annotate(nb_criteres=Count("criteres", distinct=True))
        .order_by("-nb_criteres", "pk")
        .first()
    )
    critere = evaluation.criteres.order_by("pk").first()
    donnees = queries_tableaux.donnees_tableau(apprenant, diplome)
    nb_colonnes, nb_criteres = len(donnees.colonnes), donnees.nb_criteres

    client = Client()
    client.force_login(prof.user)
    session = client.session
    session[SESSION_DIPLOME.format(etab.pk)] = diplome.pk
    session.save()

    slug = etab.slug
    tableau = reverse("bilans:tableau", kwargs={"etab": slug})
    params = {"division": division.pk, "apprenant": apprenant.pk}
    niveaux = iter(["1", "2", "3", "4"] * (args.repetitions + 1))
    saisie = reverse("evaluations:saisir", kwargs={"etab": slug, "pk": evaluation.pk})

    pages = [
        ("Accueil de l'établissement (référence)", lambda: client.get(f"/{slug}/accueil/")),
        ("Tableau de bord apprenant (complet)", lambda: client.get(tableau, params)),
        (
            "Tableau de bord apprenant (compact)",
            lambda: client.get(tableau, {**params, "vue": "compacte"}),
        ),
        (
            f"Vue classes ({nb_eleves} apprenants)",
            lambda: client.get(
                reverse("bilans:vue_classes", kwargs={"etab": slug}), {"division": division.pk}
            ),
        ),
        (
            f"Grille d'évaluation ({nb_eleves} × {evaluation.nb_criteres})",
            lambda: client.get(
                reverse("evaluations:grille", kwargs={"etab": slug, "pk": evaluation.pk})
            ),
        ),
        (
            "Saisie d'une cellule (POST HTMX)",
            lambda: client.post(
                saisie,
                {"apprenant": apprenant.pk, "critere": critere.pk, "niveau": next(niveaux)},
                HTTP_HX_REQUEST="true",
            ),
        ),
        (
            "Bilans intermédiaires",
            lambda: client.get(reverse("bilans:bilans", kwargs={"etab": slug}), params),
        ),
    ]

    base = connection.settings_dict["NAME"]
    print(f"Base : {connection.vendor} ({base}), DEBUG={settings.DEBUG}")
    print(
        f"Établissement « {slug} » : {Apprenant.objects.filter(etablissement=etab).count()} "
        f"apprenants, {Evaluation.objects.filter(etablissement=etab).count()} évaluations, "
        f"{Resultat.objects.filter(evaluation__etablissement=etab).count()} résultats."
    )
    print(
        f"Tableau de bord de l'apprenant {apprenant.pk} ({ligne['n']} résultats) : "
        f"{nb_criteres} critères × {nb_colonnes} évaluations = "
        f"{nb_criteres * nb_colonnes} cellules."
    )
    print(f"Médiane sur {args.repetitions} requêtes (après une requête de chauffe).\n")
    print("| Page | Médiane (ms) | Ratio / référence | Requêtes SQL |")
    print("|---|---:|---:|---:|")
    reference = None
    for libelle, appel in pages:
        mediane, requetes, _status = _mesurer(appel, args.repetitions)
        reference = reference or mediane
        print(f"| {libelle} | {mediane:.1f} | {mediane / reference:.1f} | {requetes} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
