"""Build a large establishment for the bench, quickly (bulk writes, COPY on PostgreSQL).

    DEBUG=1 python -m bench.generer --apprenants 1500 --annees 3 [--etablissement lp-bench]
    [--livrets 400] [--reset] [--sans-analyse]

Establishment "Lycée professionnel de charge" offering MCV-A; divisions of 35 learners,
alternately Terminale and Première (the first one is a Terminale, so even a one-division
establishment has CCF grids); a teacher (login `<prefix>prof`) and a DDFPT (`<prefix>ddfpt`).

Phases (each timed and printed):
1. socle — divisions, learners (one in seven apprentice), past years' divisions (same learners,
   niveau one step lower) when --annees N > 1;
2. évaluations — per division and year 60 évaluations on 6–12 criteria (in the current year the
   last one of each division on 20 criteria: the "35 × 20" grid), every learner a participant,
   a résultat on ~97 % of the cells; bulk (COPY on PostgreSQL);
3. pfmp — per current division an annexe pédagogique and a période with every learner
   (pfmp.services_periodes), entreprises and référent set in bulk, then per learner the bilan
   entreprise opened (services_portfolio.ouvrir_bilan_entreprise), its résultats on the
   période's criteria bulk-inserted, and validated (valider_bilan_entreprise: shown in
   dashboards);
4. ccf — per current Terminale division, every learner's numéro de candidat and E31 grid filled,
   two commission members and locked (certification.services, as certification/demo.py);
5. bilans — for the first --livrets scolaire learners a bilan validated two weeks ago with a
   note (services_bilans: locks the évaluations it takes into account), and 3 draft bilans
   today per current division;
6. livrets — périodicité (trimestres) of Première and Terminale, then a complete livret LSL
   (lslpro.services.enregistrer_livret) for those learners: an LSL XML of that many learners;
7. analyse — VACUUM ANALYZE on PostgreSQL (fresh planner statistics after the bulk load);
8. the stored suggestion aggregates (rebuilt after each bulk insert of résultats, kept by the
   services otherwise) compared with the résultats: "écarts des agrégats" must be 0.

Each phase is one transaction (a failure leaves the earlier phases: rerun with --reset).
Refuses to run if the establishment exists, unless --reset (which deletes it, its data and its
users first).
"""

import argparse
import datetime
import random
import sys
import time
from types import SimpleNamespace

from bench import setup_django

TAILLE_DIVISION = 35
EVALUATIONS_PAR_DIVISION = 60
CRITERES_MIN, CRITERES_MAX = 6, 12
CRITERES_GRANDE_GRILLE = 20
BILANS_PAR_DIVISION = 3
LIVRETS = 400
MOT_DE_PASSE = "cpro-bench-2026"  # noqa: S105 — bench data only
PREFIXE = "bench-"
DIPLOME = "MCV-A"
EPREUVE_CCF = "E31"


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apprenants", type=int, default=300)
    parser.add_argument("--annees", type=int, default=1)
    parser.add_argument("--etablissement", default="lp-bench", help="slug (default lp-bench)")
    parser.add_argument(
        "--livrets",
        type=int,
        default=LIVRETS,
        help=f"scolaire learners with a validated bilan and a livret LSL (default {LIVRETS})",
    )
    parser.add_argument("--reset", action="store_true", help="delete the establishment first")
    parser.add_argument(
        "--sans-analyse", action="store_true", help="skip VACUUM ANALYZE (PostgreSQL)"
    )
    return parser.parse_args(argv)


def _prefixe(slug: str) -> str:
    return f"{PREFIXE}{slug}-" if slug != "lp-bench" else PREFIXE


def supprimer(slug: str) -> None:
    """Delete the establishment, its data and its bench users (those with a membership in it)."""
    from django.db import transaction

    from cpro.models import Etablissement, Membership, User
    from pfmp.models import BilanEntreprise

    etab = Etablissement.objects.filter(slug=slug).first()
    if etab is None:
        return
    with transaction.atomic():
        users = list(Membership.objects.filter(etablissement=etab).values_list("user", flat=True))
        # A bilan entreprise PROTECTs its évaluation: remove the bilans before the cascade.
        BilanEntreprise.objects.filter(affectation__periode__etablissement=etab).delete()
        etab.delete()
        User.objects.filter(pk__in=users, username__startswith=_prefixe(slug)).delete()


def _uai(slug: str) -> str:
    """A free, valid-looking UAI for the bench establishment (0699 + 3 digits + letter)."""
    from cpro.models import Etablissement, lettre_cle_uai

    pris = set(Etablissement.objects.values_list("uai", flat=True))
    for n in range(800, 1000):
        uai = f"0699{n:03d}"
        uai += lettre_cle_uai(uai)
        if uai not in pris:
            return uai
    raise SystemExit("Aucun UAI libre pour l'établissement de charge.")


def _inserer(model, colonnes: list[str], lignes, taille: int = 5000) -> int:
    """Insert rows (tuples in `colonnes` order): COPY on PostgreSQL, bulk_create otherwise."""
    from django.db import connection

    if connection.vendor == "postgresql":
        n = 0
        with connection.cursor() as cur:
            # Every id written here comes from rows created just before in this transaction:
            # as pg_restore --disable-triggers does, skip the foreign-key triggers of the COPY
            # when allowed (superuser), otherwise their deferred checks take minutes at COMMIT.
            cur.execute("SELECT current_setting('is_superuser') = 'on'")
            sans_controles = connection.in_atomic_block and cur.fetchone()[0]
            if sans_controles:
                cur.execute("SET LOCAL session_replication_role = replica")
            sql = f"COPY {model._meta.db_table} ({', '.join(colonnes)}) FROM STDIN"
            with cur.cursor.copy(sql) as copie:
                for ligne in lignes:
                    copie.write_row(ligne)
                    n += 1
            if sans_controles:
                cur.execute("SET LOCAL session_replication_role = DEFAULT")
        return n
    total, lot = 0, []
    for ligne in lignes:
        lot.append(model(**dict(zip(colonnes, ligne, strict=True))))
        if len(lot) >= taille:
            model.objects.bulk_create(lot)
            total, lot = total + len(lot), []
    if lot:
        model.objects.bulk_create(lot)
        total += len(lot)
    return total


class Chrono:
    """Prints each phase's duration as it ends."""

    def __init__(self):
        self.phases: list[tuple[str, float]] = []

    def phase(self, nom: str):
        chrono = self

        class _Phase:
            def __enter__(self):
                self.t0 = time.perf_counter()
                print(f"  {nom}…", end="", flush=True)

            def __exit__(self, *exc):
                duree = time.perf_counter() - self.t0
                chrono.phases.append((nom, duree))
                print(f" {duree:.1f} s", flush=True)

        return _Phase()


def generer(
    slug: str, nb_apprenants: int, nb_annees: int, nb_livrets: int = LIVRETS, analyse: bool = True
) -> tuple[dict[str, int], list[tuple[str, float]]]:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from cpro.models import Statut
    from referentiels.models import Diplome

    diplome = Diplome.objects.filter(code=DIPLOME, actif=True).first()
    if diplome is None:
        print("Référentiels absents : chargement (charger_referentiels)…")
        call_command("charger_referentiels")
        diplome = Diplome.objects.get(code=DIPLOME, actif=True)
    ctx = SimpleNamespace(
        slug=slug,
        diplome=diplome,
        rng=random.Random(f"cpro-bench-{slug}"),
        aujourd_hui=timezone.localdate(),
        prefixe=_prefixe(slug),
        pwd=make_password(MOT_DE_PASSE),
        comptes={},
    )
    chrono = Chrono()
    # One transaction per phase, its COMMIT inside the timing: on PostgreSQL Django's foreign
    # keys are DEFERRABLE INITIALLY DEFERRED, so the bulk-loaded rows are checked at COMMIT.
    with chrono.phase("socle (divisions, apprenants)"), transaction.atomic():
        _socle(ctx, nb_apprenants, nb_annees)
    with chrono.phase("évaluations, participants, résultats"), transaction.atomic():
        _evaluations(ctx)
    with chrono.phase("PFMP (périodes, bilans entreprise validés)"), transaction.atomic():
        _pfmp(ctx)
    with chrono.phase(f"grilles CCF {EPREUVE_CCF} (terminales)"), transaction.atomic():
        _ccf(ctx)
    scolaires = [a for d in ctx.courantes for a in ctx.eleves[d.pk] if a.statut == Statut.SCOLAIRE]
    avec_livret = scolaires[: max(0, nb_livrets)]
    with chrono.phase("bilans intermédiaires"), transaction.atomic():
        _bilans(ctx, avec_livret)
    with chrono.phase("livrets LSL"), transaction.atomic():
        _livrets(ctx, avec_livret)
    from django.db import connection

    if analyse and connection.vendor == "postgresql":
        with chrono.phase("VACUUM ANALYZE"), connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    with chrono.phase("vérification des agrégats de la suggestion"):
        from cpro.models import Apprenant
        from evaluations import agregats

        ids = list(Apprenant.objects.filter(etablissement=ctx.etab).values_list("pk", flat=True))
        ecarts = agregats.derive(ids)
    ctx.comptes["écarts des agrégats"] = len(ecarts)
    if ecarts:
        print(f"\n  {len(ecarts)} écart(s), par exemple : {ecarts[0]}", flush=True)
    return ctx.comptes, chrono.phases


def _socle(ctx, nb_apprenants: int, nb_annees: int) -> None:
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
    from demo.socle import NOMS, PRENOMS
    from referentiels.models import Niveau

    rng, prefixe = ctx.rng, ctx.prefixe
    etab = Etablissement.objects.create(
        uai=_uai(ctx.slug),
        nom="Lycée professionnel de charge",
        slug=ctx.slug,
        ville="Lyon",
        academie="Lyon",
        book_active=True,
    )
    etab.diplomes.set([ctx.diplome])
    ctx.etab = etab

    def personne(login, prenom, nom, role):
        user = User.objects.create(
            username=f"{prefixe}{login}",
            first_name=prenom,
            last_name=nom,
            email=f"{prefixe}{login}@bench.cpro.invalid",
            password=ctx.pwd,
        )
        membership = Membership.objects.create(user=user, etablissement=etab, role=role)
        membership.diplomes.set([ctx.diplome])
        return membership

    ctx.prof = personne("prof", "Bench", "Professeur", Role.ENSEIGNANT)
    ctx.ddfpt = personne("ddfpt", "Bench", "Directeur", Role.DDFPT)

    annees = [AnneeScolaire.courante(ctx.aujourd_hui)]
    for k in range(1, nb_annees):
        annees.append(AnneeScolaire.objects.get_or_create(debut=annees[0].debut - k)[0])
    ctx.annee = annees[0]
    nb_divisions = max(1, -(-nb_apprenants // TAILLE_DIVISION))
    niveaux = [Niveau.TERMINALE, Niveau.PREMIERE]
    courantes = Division.objects.bulk_create(
        Division(
            etablissement=etab,
            annee=annees[0],
            nom=f"{'T' if niveaux[i % 2] == Niveau.TERMINALE else '1'}CHARGE{i // 2 + 1}",
            diplome=ctx.diplome,
            niveau=niveaux[i % 2],
        )
        for i in range(nb_divisions)
    )
    users = User.objects.bulk_create(
        User(
            username=f"{prefixe}{i:05d}",
            first_name=rng.choice(PRENOMS),
            last_name=rng.choice(NOMS),
            password=ctx.pwd,
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
    ctx.comptes["apprenants"] = len(apprenants)
    ctx.courantes = courantes
    ctx.eleves = {}
    for a in apprenants:
        ctx.eleves.setdefault(a.division_id, []).append(a)

    # Past years: divisions with the same learners, one niveau lower when possible.
    ordre = [Niveau.SECONDE, Niveau.PREMIERE, Niveau.TERMINALE]
    ctx.plan = []  # (division, annee, niveau, learners)
    for k, annee in enumerate(annees):
        for courante in courantes:
            division, niveau = courante, courante.niveau
            if k > 0:
                niveau = ordre[max(0, ordre.index(division.niveau) - k)]
                division = Division.objects.create(
                    etablissement=etab,
                    annee=annee,
                    nom=f"{division.nom}-{annee.debut}",
                    diplome=ctx.diplome,
                    niveau=niveau,
                )
            ctx.plan.append((division, annee, niveau, ctx.eleves[courante.pk]))
    ctx.comptes["divisions"] = len(ctx.plan)


def _evaluations(ctx) -> None:
    from django.utils import timezone

    from demo.evaluations import _niveau
    from evaluations.models import Evaluation, Nature, Participant, Resultat
    from referentiels.models import Critere

    rng, etab = ctx.rng, ctx.etab
    prof_user = ctx.prof.user
    criteres = list(
        Critere.objects.filter(competence__diplome=ctx.diplome)
        .select_related("competence__groupe__unite")
        .order_by("competence__groupe__ordre", "competence__ordre", "ordre", "code")
    )
    ctx.criteres = criteres
    ctx.capacites = {a.pk: rng.gauss(1.9, 0.55) for eleves in ctx.eleves.values() for a in eleves}
    evaluations, meta = [], []  # meta: (evaluation, learners, criteria, progress)
    for division, annee, niveau, eleves in ctx.plan:
        debut = datetime.date(annee.debut, 9, 15)
        fin = min(datetime.date(annee.debut + 1, 6, 30), ctx.aujourd_hui)
        if fin <= debut:
            fin = debut + datetime.timedelta(days=EVALUATIONS_PAR_DIVISION * 3)
        pas = (fin - debut) / (EVALUATIONS_PAR_DIVISION - 1)
        for i in range(EVALUATIONS_PAR_DIVISION):
            derniere = i == EVALUATIONS_PAR_DIVISION - 1
            grande = derniere and annee == ctx.annee
            nature = Nature.COMPLEXE if rng.random() < 0.25 or grande else Nature.INTERMEDIAIRE
            evaluation = Evaluation(
                etablissement=etab,
                diplome=ctx.diplome,
                niveau=niveau,
                annee=annee,
                titre=f"Situation {i + 1} – {division.nom}",
                date=debut + pas * i,
                nature=nature,
                contexte=f"Évaluation de charge de la division {division.nom}.",
                auteur=prof_user,
            )
            evaluations.append(evaluation)
            nb = CRITERES_GRANDE_GRILLE if grande else rng.randint(CRITERES_MIN, CRITERES_MAX)
            choisis = rng.sample(criteres, min(len(criteres), nb))
            meta.append((evaluation, eleves, choisis, i / (EVALUATIONS_PAR_DIVISION - 1)))
    Evaluation.objects.bulk_create(evaluations, batch_size=1000)
    ctx.comptes["évaluations"] = len(evaluations)

    Ens = Evaluation.enseignants.through
    Crit = Evaluation.criteres.through
    _inserer(Ens, ["evaluation_id", "user_id"], ((e.pk, prof_user.pk) for e in evaluations))
    _inserer(
        Crit,
        ["evaluation_id", "critere_id"],
        ((e.pk, c.pk) for e, _, cs, _ in meta for c in cs),
    )
    ctx.comptes["participants"] = _inserer(
        Participant,
        ["evaluation_id", "apprenant_id", "commentaire"],
        ((e.pk, a.pk, "") for e, eleves, _, _ in meta for a in eleves),
    )
    maintenant = timezone.now()

    def resultats():
        for e, eleves, choisis, progres in meta:
            for a in eleves:
                for c in choisis:
                    if rng.random() < 0.03:
                        continue  # not entered yet
                    niveau = _niveau(rng, ctx.capacites[a.pk], progres, e.nature)
                    yield (e.pk, a.pk, c.pk, niveau, prof_user.pk, maintenant)

    ctx.comptes["résultats"] = _inserer(
        Resultat,
        ["evaluation_id", "apprenant_id", "critere_id", "niveau", "modifie_par_id", "modifie_le"],
        resultats(),
    )
    # Bulk-inserted résultats bypass the services: the stored suggestion aggregates of every
    # learner are rebuilt here, in the phase's transaction.
    _agregats(ctx)


def _agregats(ctx) -> None:
    from cpro.models import Apprenant
    from evaluations import agregats

    ids = Apprenant.objects.filter(etablissement=ctx.etab).values_list("pk", flat=True)
    ctx.comptes["agrégats de suggestion"] = agregats.recalculer(list(ids))


def _pfmp(ctx) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from demo import pfmp as pfmp_demo
    from evaluations.models import Resultat
    from pfmp import services_periodes, services_portfolio
    from pfmp.models import Affectation, BilanEntreprise, Entreprise
    from referentiels.models import Niveau

    rng, etab, prof_user = ctx.rng, ctx.etab, ctx.prof.user
    entreprises = Entreprise.objects.bulk_create(
        Entreprise(
            etablissement=etab,
            nom=nom,
            adresse=adresse,
            code_postal=cp,
            ville=ville,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            secteur=secteur,
            telephone=tel,
        )
        for nom, adresse, cp, ville, lat, lon, secteur, tel, familles in pfmp_demo.ENTREPRISES
        if "MCV-A" in familles
    )
    taches, competences, criteres = pfmp_demo._contenu_referentiel(ctx.diplome)
    specs = {s.division: s for s in pfmp_demo.PERIODES}
    bilans, affectations_maj = [], []
    for division in ctx.courantes:
        spec = specs["TMCVA" if division.niveau == Niveau.TERMINALE else "1MCVA"]
        titre = f"{spec.titre} ({division.nom})"
        annexe = services_periodes.creer_annexe(
            etab,
            ctx.diplome,
            par=ctx.ddfpt.user,
            titre=titre,
            niveau=division.niveau,
            objectifs=spec.objectifs,
            taches=taches,
            competences=competences,
            criteres=criteres,
        )
        debut, fin = pfmp_demo._dates(SimpleNamespace(annee=ctx.annee), spec, ctx.aujourd_hui)
        eleves = ctx.eleves[division.pk]
        periode = services_periodes.creer_periode(
            annexe,
            par=ctx.ddfpt.user,
            titre=titre,
            date_debut=debut,
            date_fin=fin,
            apprenants=eleves,
        )
        for i, affectation in enumerate(
            Affectation.objects.filter(periode=periode).select_related("periode").order_by("pk")
        ):
            affectation.entreprise = entreprises[i % len(entreprises)]
            affectation.referent = prof_user
            affectations_maj.append(affectation)
    Affectation.objects.bulk_update(affectations_maj, ["entreprise", "referent"], batch_size=2000)
    for affectation in affectations_maj:
        bilans.append(services_portfolio.ouvrir_bilan_entreprise(affectation, par=prof_user))
    maintenant = timezone.now()
    criteres_par_eval = {}
    for bilan in bilans:
        criteres_par_eval[bilan.evaluation_id] = criteres  # the période's (= the annexe's)

    def resultats():
        for bilan in bilans:
            capacite = ctx.capacites[bilan.affectation.apprenant_id]
            for c in criteres_par_eval[bilan.evaluation_id]:
                niveau = str(max(1, min(4, round(capacite + 0.6 + rng.gauss(0, 0.6)))))
                yield (bilan.evaluation_id, bilan.affectation.apprenant_id, c.pk, niveau,
                       prof_user.pk, maintenant)  # fmt: skip

    n = _inserer(
        Resultat,
        ["evaluation_id", "apprenant_id", "critere_id", "niveau", "modifie_par_id", "modifie_le"],
        resultats(),
    )
    ctx.comptes["résultats"] += n
    _agregats(ctx)  # the bilans' résultats (hidden until validated below: exact anyway)
    for bilan in bilans:
        bilan.appreciation = "Apprenant motivé et ponctuel, à l'écoute des conseils de l'équipe."
        bilan.tuteur_nom = "Tuteur de l'entreprise"
    BilanEntreprise.objects.bulk_update(bilans, ["appreciation", "tuteur_nom"], batch_size=2000)
    for bilan in bilans:
        services_portfolio.valider_bilan_entreprise(bilan, par=prof_user)
    ctx.comptes["périodes PFMP"] = len(ctx.courantes)
    ctx.comptes["bilans entreprise"] = len(bilans)


def _ccf(ctx) -> None:
    import random as _random

    from certification import exporters, services
    from demo import certification as ccf_demo
    from referentiels.models import GrilleCCF, Niveau

    grille = GrilleCCF.objects.filter(diplome=ctx.diplome, epreuve=EPREUVE_CCF).first()
    if grille is None:
        print(f" (pas de grille {EPREUVE_CCF} pour {DIPLOME})", end="")
        ctx.comptes["grilles CCF"] = 0
        return
    ctx.session = ctx.annee.debut + 1
    prof_user = ctx.prof.user
    # Each lock renders and stores the grid's PDF: one font set and stylesheet for all.
    rendu = exporters.RenduGrilles()
    n, k = 0, 0
    for division in ctx.courantes:
        if division.niveau != Niveau.TERMINALE:
            continue
        for rang, apprenant in enumerate(ctx.eleves[division.pk]):
            k += 1
            numero = f"{ctx.session % 100:02d}{ctx.etab.uai[:7]}{k:04d}"
            services.definir_numero_candidat(apprenant, numero, par=prof_user)
            gc = services.grille_pour(apprenant, grille, ctx.session, par=prof_user)
            rng = _random.Random(f"{ctx.slug}-{EPREUVE_CCF}-{apprenant.pk}")
            ccf_demo._remplir(
                gc, rang, complet=True, par=ctx.prof, second=None, rng=rng, rendu=rendu
            )
            n += 1
    ctx.comptes["grilles CCF verrouillées"] = n


def _bilans(ctx, avec_livret) -> None:
    from bilans import services_bilans
    from demo import bilans as bilans_demo

    prof_user = ctx.prof.user
    date_validee = max(ctx.aujourd_hui - datetime.timedelta(days=14), ctx.annee.date_debut)
    n_valides = 0
    for apprenant in avec_livret:
        rng = random.Random(f"cpro-bench-bilan-{apprenant.pk}")
        bilan = services_bilans.creer_bilan(apprenant, par=prof_user, date=date_validee)
        # Constats, conseils and note as bilans/demo.py writes them, but set directly: the
        # service (modifier_bilan) would recompute the suggestions for nothing (same date).
        bande, moyenne = bilans_demo._bande(bilan)
        bilan.constats = rng.choice(bilans_demo.CONSTATS[bande])
        bilan.conseils = rng.choice(bilans_demo.CONSEILS[bande])
        bilan.note = bilans_demo._note(rng, moyenne)
        bilan.save(update_fields=["constats", "conseils", "note"])
        services_bilans.valider_bilan(bilan, par=prof_user)
        n_valides += 1
    n_brouillons = 0
    for division in ctx.courantes:
        for apprenant in ctx.eleves[division.pk][:BILANS_PAR_DIVISION]:
            services_bilans.creer_bilan(apprenant, par=prof_user, date=ctx.aujourd_hui)
            n_brouillons += 1
    ctx.comptes["bilans validés"] = n_valides
    ctx.comptes["bilans brouillons"] = n_brouillons


def _livrets(ctx, avec_livret) -> None:
    from demo import lslpro as lsl_demo
    from lslpro import queries, services
    from lslpro.models import Periodicite
    from lslpro.services_parametres import definir_code_matiere
    from referentiels.models import Niveau

    niveaux = {d.niveau for d in ctx.courantes} & {Niveau.PREMIERE, Niveau.TERMINALE}
    # No LSL export without a real code matière (lslpro.nomenclature refuses placeholders):
    # the bench uses the demo's value, labelled as such.
    definir_code_matiere(
        ctx.etab,
        diplome=ctx.diplome,
        code=lsl_demo.CODES_MATIERE_DEMO[ctx.diplome.code],
        source="Bench : valeur de démonstration, pas un code BCN vérifié",
        par=ctx.ddfpt.user,
    )
    services.definir_periodicites(
        ctx.etab,
        {(ctx.diplome.pk, n): Periodicite.Type.TRIMESTRE for n in niveaux},
        par=ctx.ddfpt.user,
        annee=ctx.annee,
    )
    periodicites = {
        n: queries.periodicite_pour(ctx.etab, ctx.annee, ctx.diplome, n) for n in niveaux
    }
    prof_user = ctx.prof.user
    for i, eleve in enumerate(avec_livret):
        page = queries.page_livret(
            eleve, ctx.diplome, ctx.annee, periodicites[eleve.division.niveau]
        )
        saisie = lsl_demo._saisie_complete(page, i, prof_user.pk)
        services.enregistrer_livret(eleve, saisie, par=prof_user, annee=ctx.annee)
    ctx.comptes["livrets LSL"] = len(avec_livret)


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
    print(
        f"Base : {connection.vendor} ({connection.settings_dict['NAME']}) — génération de "
        f"« {args.etablissement} » ({args.apprenants} apprenants, {args.annees} année(s)) :"
    )
    t0 = time.perf_counter()
    comptes, _phases = generer(
        args.etablissement,
        args.apprenants,
        args.annees,
        nb_livrets=args.livrets,
        analyse=not args.sans_analyse,
    )
    duree = time.perf_counter() - t0
    print(f"Généré en {duree:.1f} s :")
    for cle, valeur in comptes.items():
        print(f"  {cle:>26} : {valeur:,}".replace(",", " "))
    prefixe = _prefixe(args.etablissement)
    print(f"Comptes : {prefixe}prof, {prefixe}ddfpt / {MOT_DE_PASSE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
