"""Time the heavy pages and the export workers against an establishment of `bench.generer`.

    DEBUG=1 python -m bench.scenarios [--etablissement lp-bench] [--comparer lp-petit]
    [--repetitions 20] [--travaux 3] [--sans-travaux]

Pages, with the Django test Client (in process, no network, no web server), logged in as the
bench teacher with the diplôme chosen in the session: one warm-up request (its SQL queries are
counted with CaptureQueriesContext), then N timed requests; per page the median wall time
(time.perf_counter) and the median CPU time of this process (time.process_time: Python —
middleware, views, templates — and the database driver; PostgreSQL's own work runs in the
server's process and is not in it, SQLite's is), and both as a ratio to a trivial
authenticated page of the same establishment measured in the same run (`/<slug>/accueil/`).

Workers: the exporters' `render` run in process on a real ExportJob (as
cpro.services.executer_export does, progress written to the job), one warm-up then the median of
--travaux runs: a bilan PDF, the ZIP of a division's locked CCF grids, the LSL XML of every
livret of the establishment's year (`bench.generer --livrets`, 400 by default).

--comparer SLUG measures a second (small) establishment in the same run, page by page
alternately, and prints both side by side with the ratio large / small: a per-learner page
should cost about the same whatever the size of the establishment.
"""

import argparse
import datetime
import statistics
import sys
import time
from dataclasses import dataclass, field

from bench import setup_django


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--travaux", type=int, default=3, help="runs per worker (median)")
    parser.add_argument("--sans-travaux", action="store_true", help="pages only")
    parser.add_argument("--etablissement", default="lp-bench", help="slug (default lp-bench)")
    parser.add_argument(
        "--comparer", metavar="SLUG_PETIT", help="a small establishment to show side by side"
    )
    return parser.parse_args(argv)


@dataclass
class Mesure:
    mur: float  # median wall ms
    cpu: float  # median CPU ms (this process)
    requetes: int
    detail: str = ""


@dataclass
class Page:
    cle: str
    libelle: str
    appel: object
    par_apprenant: bool = True  # its cost should not depend on the size of the establishment


@dataclass
class Travail:
    cle: str
    libelle: str
    kind: str
    params: dict
    demandeur: object


@dataclass
class Contexte:
    slug: str
    infos: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    travaux: list[Travail] = field(default_factory=list)
    etab: object = None


def _chronometrer(appel, repetitions: int) -> tuple[float, float, list]:
    murs, cpus, resultats = [], [], []
    for _ in range(repetitions):
        t0, c0 = time.perf_counter(), time.process_time()
        resultats.append(appel())
        cpus.append((time.process_time() - c0) * 1000)
        murs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(murs), statistics.median(cpus), resultats


def mesurer_page(appel, repetitions: int) -> Mesure:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # With DEBUG on, the query log is a bounded deque: once full, CaptureQueriesContext would
    # see nothing. Start each capture from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        reponse = appel()  # warm-up, and the query count
    if reponse.status_code >= 400 or reponse.status_code in (301, 302):
        raise SystemExit(
            f"Réponse {reponse.status_code} : {reponse.request['PATH_INFO']} "
            f"{reponse.get('Location', '')}"
        )
    mur, cpu, _ = _chronometrer(appel, repetitions)
    return Mesure(mur, cpu, len(ctx.captured_queries))


def mesurer_travail(travail: Travail, etab, repetitions: int) -> Mesure:
    """Run the exporter's render on a real ExportJob (RUNNING, attempt 1: progress is written
    to it as in the worker), warm-up + `repetitions` timed runs; the jobs (and the LSL export
    records the LSL exporter writes) are deleted afterwards."""
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cpro.models import ExportJob
    from cpro.pipeline_exports import get_exporter
    from cpro.services import _set_progress
    from lslpro.models import ExportLSL

    dernier_lsl = ExportLSL.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    jobs = []

    def appel():
        job = ExportJob.objects.create(
            etablissement=etab,
            demandeur=travail.demandeur,
            kind=travail.kind,
            params=travail.params,
            status=ExportJob.Status.EN_COURS,
            tentatives=1,
            expire_le=timezone.now() + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
        )
        jobs.append(job.pk)
        job = ExportJob.objects.select_related("etablissement", "demandeur").get(pk=job.pk)
        return get_exporter(job.kind)(job).render(lambda p: _set_progress(job.pk, 1, p))

    try:
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            _nom, _type, data = appel()
        mur, cpu, _ = _chronometrer(appel, repetitions)
    finally:
        ExportJob.objects.filter(pk__in=jobs).delete()
        ExportLSL.objects.filter(etablissement=etab, pk__gt=dernier_lsl).delete()
    return Mesure(mur, cpu, len(ctx.captured_queries), detail=f"{len(data) / 1024:,.0f} Kio")


def preparer(slug: str) -> Contexte | None:
    """The client, pages and workers of one establishment (None if it does not exist)."""
    from django.test import Client
    from django.urls import reverse

    from bench.cibles import choisir, travail_zip
    from bilans import queries_tableaux
    from certification.models import GrilleCandidat
    from cpro.models import Apprenant
    from cpro.tenancy import SESSION_DIPLOME
    from evaluations.models import Evaluation, Resultat
    from lslpro.models import Livret
    from referentiels.models import Niveau

    choix = choisir(slug)
    if choix is None:
        return None
    etab, prof, ddfpt, diplome, annee = (
        choix.etab, choix.prof, choix.ddfpt, choix.diplome, choix.annee
    )  # fmt: skip
    divisions, division, apprenant = choix.divisions, choix.division, choix.apprenant
    ctx = Contexte(slug=slug, etab=etab)
    nb_eleves, evaluation, critere = choix.nb_eleves, choix.evaluation, choix.critere
    donnees = queries_tableaux.donnees_tableau(apprenant, diplome)
    nb_colonnes, nb_criteres = len(donnees.colonnes), donnees.nb_criteres
    brouillon, bilan_pdf = choix.brouillon, choix.bilan_pdf
    session, nb_verrouillees = choix.session, choix.nb_verrouillees
    nb_candidats = GrilleCandidat.objects.filter(etablissement=etab, session=session).count()
    livrets = Livret.objects.filter(etablissement=etab, annee=annee)
    divisions_lsl = sorted(set(livrets.values_list("apprenant__division", flat=True)))
    nb_livrets = livrets.count()
    nb_terminales = divisions.filter(niveau=Niveau.TERMINALE).count()

    client = Client()
    client.force_login(prof.user)
    session_http = client.session
    session_http[SESSION_DIPLOME.format(etab.pk)] = diplome.pk
    session_http.save()

    tableau = reverse("bilans:tableau", kwargs={"etab": slug})
    params = {"division": division.pk, "apprenant": apprenant.pk}
    niveaux = iter(["1", "2", "3", "4"] * 10_000)
    saisie = reverse("evaluations:saisir", kwargs={"etab": slug, "pk": evaluation.pk})
    recap = reverse("certification:recapitulatif", kwargs={"etab": slug})

    def get(url, donnees=None):
        return lambda: client.get(url, donnees or {})

    pages = [
        Page("accueil", "Accueil de l'établissement (référence)", get(f"/{slug}/accueil/")),
        Page("tableau", "Tableau de bord apprenant (complet)", get(tableau, params)),
        Page(
            "compact",
            "Tableau de bord apprenant (compact)",
            get(tableau, {**params, "vue": "compacte"}),
        ),  # fmt: skip
        Page(
            "classes",
            f"Vue classes ({nb_eleves} apprenants)",
            get(reverse("bilans:vue_classes", kwargs={"etab": slug}), {"division": division.pk}),
        ),
        Page(
            "grille",
            f"Grille d'évaluation ({nb_eleves} × {evaluation.nb_criteres})",
            get(reverse("evaluations:grille", kwargs={"etab": slug, "pk": evaluation.pk})),
        ),
        Page(
            "saisie",
            "Saisie d'une cellule (POST HTMX)",
            lambda: client.post(
                saisie,
                {"apprenant": apprenant.pk, "critere": critere.pk, "niveau": next(niveaux)},
                HTTP_HX_REQUEST="true",
            ),
        ),
        Page(
            "bilans",
            "Bilans intermédiaires (liste de l'apprenant)",
            get(reverse("bilans:bilans", kwargs={"etab": slug}), params),
        ),
    ]
    if brouillon is not None:
        pages.append(
            Page(
                "bilan",
                "Bilan brouillon (formulaire)",
                get(reverse("bilans:bilan_modifier", kwargs={"etab": slug, "pk": brouillon.pk})),
            )
        )
    if nb_candidats:
        pages.append(
            Page(
                "recap",
                f"Récapitulatif CCF (1 division, {nb_eleves} candidats)",
                get(recap, {"division": division.pk, "session": session}),
            )
        )
        pages.append(
            Page(
                "recap_tout",
                f"Récapitulatif CCF ({nb_terminales} terminales, {nb_candidats} candidats)",
                get(recap, {"session": session}),
                par_apprenant=False,
            )
        )
    if livrets.filter(apprenant=apprenant).exists():
        pages.append(
            Page(
                "livret",
                "Livret LSL de l'apprenant",
                get(reverse("lslpro:livret", kwargs={"etab": slug, "pk": apprenant.pk})),
            )
        )
    ctx.pages = pages

    if bilan_pdf is not None:
        ctx.travaux.append(
            Travail("bilan_pdf", "PDF d'un bilan", "bilan_pdf", {"bilan": bilan_pdf.pk}, prof.user)
        )
    if nb_verrouillees:
        ctx.travaux.append(travail_zip(choix))
    if nb_livrets and ddfpt is not None:
        from lslpro.services_export import verifier

        # The export refuses blocking learners (no livret, incomplete) unless they are
        # excluded, as the export screen does with « exclure les apprenants incomplets ».
        verification = verifier(
            etab, annee=annee, divisions=list(divisions.filter(pk__in=divisions_lsl)),
            profil="lsl-1.0",
        )  # fmt: skip
        exclus = sorted(ligne.apprenant.pk for ligne in verification.bloques)
        ctx.travaux.append(
            Travail(
                "lsl",
                "XML LSL de l'établissement",
                "lsl_xml",
                {
                    "annee": annee.debut,
                    "divisions": divisions_lsl,
                    "profil": "lsl-1.0",
                    "exclus": exclus,
                },
                ddfpt.user,
            )
        )

    nb_resultats = Resultat.objects.filter(evaluation__etablissement=etab).count()
    ctx.infos = [
        f"« {slug} » : {Apprenant.objects.filter(etablissement=etab).count()} apprenants, "
        f"{Evaluation.objects.filter(etablissement=etab).count()} évaluations, "
        f"{nb_resultats:,} résultats, {nb_candidats} grilles CCF (session {session}), "
        f"{nb_livrets} livrets LSL.".replace(",", " "),
        f"  apprenant {apprenant.pk} de {division.nom} ({choix.nb_resultats_apprenant} "
        f"résultats) : tableau de bord {nb_criteres} critères × {nb_colonnes} évaluations = "
        f"{nb_criteres * nb_colonnes} cellules ; grille {nb_eleves} × {evaluation.nb_criteres} ; "
        f"ZIP : {nb_verrouillees} grilles ; XML LSL : {nb_livrets} apprenants.",
    ]
    return ctx


def _fmt(m: Mesure | None, ref: Mesure | None) -> list[str]:
    if m is None:
        return ["—", "—", "—", "—"]
    return [
        f"{m.mur:.1f} ({m.cpu:.1f})",
        f"{m.mur / ref.mur:.1f}",
        f"{m.cpu / ref.cpu:.1f}",
        str(m.requetes),
    ]


def _ligne(cellules) -> str:
    return "| " + " | ".join(cellules) + " |"


def main(argv=None) -> int:
    args = _arguments(argv)
    setup_django()
    import logging

    from django.conf import settings

    for bavard in ("weasyprint", "fontTools"):  # one INFO line per layout step otherwise
        logging.getLogger(bavard).setLevel(logging.WARNING)
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    slugs = [args.comparer, args.etablissement] if args.comparer else [args.etablissement]
    contextes = []
    for slug in slugs:
        ctx = preparer(slug)
        if ctx is None:
            print(
                f"Établissement « {slug} » absent : lancez d'abord « python -m bench.generer "
                f"--etablissement {slug} ».",
                file=sys.stderr,
            )
            return 1
        contextes.append(ctx)

    print(
        f"Base : {connection.vendor} ({connection.settings_dict['NAME']}), DEBUG={settings.DEBUG}"
    )
    for ctx in contextes:
        print("\n".join(ctx.infos))
    print(
        f"\nPages : médiane sur {args.repetitions} requêtes après une requête de chauffe ; "
        "« ms (CPU) » = temps mur (temps CPU de ce processus, "
        + (
            "hors travail du serveur PostgreSQL"
            if connection.vendor == "postgresql"
            else "requêtes SQLite comprises"
        )
        + ") ; ratios au temps de l'accueil du même établissement.\n"
    )
    # Pages, alternately for each establishment (same machine load for both).
    mesures: list[dict[str, Mesure]] = [{} for _ in contextes]
    cles = list(dict.fromkeys(p.cle for ctx in contextes for p in ctx.pages))
    for cle in cles:
        for i, ctx in enumerate(contextes):
            page = next((p for p in ctx.pages if p.cle == cle), None)
            if page is not None:
                mesures[i][cle] = mesurer_page(page.appel, args.repetitions)
    libelles = {p.cle: p for ctx in contextes for p in ctx.pages}  # the large one's labels
    entetes = ["ms (CPU)", "ratio mur", "ratio CPU", "SQL"]
    if len(contextes) == 1:
        print(_ligne(["Page", *entetes]))
        print(_ligne(["---"] + ["---:"] * len(entetes)))
    else:
        petit, grand = (c.slug for c in contextes)
        print(
            _ligne(
                ["Page"]
                + [f"{petit} {e}" for e in entetes]
                + [f"{grand} {e}" for e in entetes]
                + ["grand / petit (mur)", "grand / petit (CPU)"]
            )
        )
        print(_ligne(["---"] + ["---:"] * (2 * len(entetes) + 2)))
    for cle in cles:
        cellules = [libelles[cle].libelle]
        for i in range(len(contextes)):
            cellules += _fmt(mesures[i].get(cle), mesures[i]["accueil"])
        if len(contextes) == 2:
            a, b = mesures[0].get(cle), mesures[1].get(cle)
            if a and b:
                marque = "" if libelles[cle].par_apprenant else " *"
                cellules += [f"{b.mur / a.mur:.2f}{marque}", f"{b.cpu / a.cpu:.2f}{marque}"]
            else:
                cellules += ["—", "—"]
        print(_ligne(cellules))
    if len(contextes) == 2:
        print("\n* page de tout l'établissement : elle grandit avec lui, par construction.")

    if args.sans_travaux:
        return 0
    print(
        f"\nTravaux (exporteurs, render en processus sur un ExportJob réel) : médiane sur "
        f"{args.travaux} exécutions après une de chauffe.\n"
    )
    resultats: list[dict[str, Mesure]] = [{} for _ in contextes]
    cles = list(dict.fromkeys(t.cle for ctx in contextes for t in ctx.travaux))
    for cle in cles:
        for i, ctx in enumerate(contextes):
            travail = next((t for t in ctx.travaux if t.cle == cle), None)
            if travail is not None:
                resultats[i][cle] = mesurer_travail(travail, ctx.etab, args.travaux)
    libelles = {t.cle: t.libelle for ctx in contextes for t in ctx.travaux}
    entetes = ["ms (CPU)", "SQL", "taille"]
    print(_ligne(["Travail"] + [f"{c.slug} {e}" for c in contextes for e in entetes]))
    print(_ligne(["---"] + ["---:"] * (len(entetes) * len(contextes))))
    for cle in cles:
        cellules = [libelles[cle]]
        for i in range(len(contextes)):
            m = resultats[i].get(cle)
            cellules += (
                [f"{m.mur:.0f} ({m.cpu:.0f})", str(m.requetes), m.detail] if m else ["—"] * 3
            )
        print(_ligne(cellules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
