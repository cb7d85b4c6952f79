"""Demo data of the socle: a "Lycée professionnel de démonstration" with people of every role,
and a second establishment to show isolation.

Extension point: each module may provide `<app>/demo.py` with `construire(ctx: DemoContext)`,
called by `manage.py creer_demo` after the socle, in INSTALLED_APPS order, to add its own
realistic data. Everything is idempotent: running the command twice changes nothing.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cpro.models import (
    AnneeScolaire,
    Apprenant,
    Division,
    Etablissement,
    Membership,
    Role,
    Sexe,
    Statut,
    User,
)
from referentiels.models import Diplome, Niveau

MOT_DE_PASSE_DEMO = "cpro-demo-2026"  # noqa: S105 — printed to the user, demo only

PRENOMS = [
    "Emma",
    "Louise",
    "Jade",
    "Alice",
    "Chloé",
    "Lina",
    "Léa",
    "Manon",
    "Inès",
    "Sarah",
    "Camille",
    "Zoé",
    "Yasmine",
    "Maëlys",
    "Clara",
    "Nour",
    "Lucas",
    "Hugo",
    "Gabriel",
    "Louis",
    "Nathan",
    "Adam",
    "Mohamed",
    "Enzo",
    "Théo",
    "Rayan",
    "Noah",
    "Tom",
    "Ethan",
    "Sacha",
    "Yanis",
    "Kylian",
    "Mathis",
    "Ilyes",
    "Axel",
    "Bilal",
    "Maxime",
    "Evan",
    "Naël",
    "Timéo",
]
# The first sixteen first names are girls' names (SIECLE gives the sex: CODE_SEXE).
PRENOMS_FEMININS = frozenset(PRENOMS[:16])
NOMS = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Benali",
    "Nguyen",
    "Diallo",
    "Traoré",
    "Da Silva",
    "Haddad",
    "Belkacem",
    "Lopez",
    "Fernandes",
    "Kone",
]

# (division, diplôme code, niveau, number of apprentices)
DIVISIONS = [
    ("2MRC1", "2MRC", Niveau.SECONDE, 0),
    ("1MCVA", "MCV-A", Niveau.PREMIERE, 3),
    ("1MCVB", "MCV-B", Niveau.PREMIERE, 2),
    ("TMCVA", "MCV-A", Niveau.TERMINALE, 4),
    ("TACC", "MA", Niveau.TERMINALE, 2),
]
APPRENANTS_PAR_DIVISION = 24


@dataclass
class DemoContext:
    etablissement: Etablissement
    autre_etablissement: Etablissement
    annee: AnneeScolaire
    diplomes: dict[str, Diplome]
    divisions: dict[str, Division]
    personnes: dict[str, Membership] = field(default_factory=dict)
    identifiants: list[tuple[str, str, str]] = field(default_factory=list)  # (rôle, login, détail)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))


class DemoError(Exception):
    pass


def _slug_login(prenom: str, nom: str) -> str:
    import unicodedata

    raw = f"{prenom}.{nom}".lower().replace(" ", "-").replace("'", "")
    return unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()


def _personne(etab, username, prenom, nom, role, *, diplomes=(), password_hash, email=True):
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": prenom,
            "last_name": nom,
            "email": f"{username}@demo.cpro.invalid" if email else "",
            "password": password_hash,
        },
    )
    membership, _ = Membership.objects.get_or_create(
        user=user, etablissement=etab, defaults={"role": role}
    )
    if diplomes:
        membership.diplomes.set(diplomes)
    return membership


@transaction.atomic
def construire_socle(aujourd_hui: datetime.date | None = None) -> DemoContext:
    codes = {code for _, code, _, _ in DIVISIONS}
    diplomes = {d.code: d for d in Diplome.objects.filter(code__in=codes, actif=True)}
    missing = codes - set(diplomes)
    if missing:
        raise DemoError(
            "Référentiels absents : "
            + ", ".join(sorted(missing))
            + ". Lancez d'abord « python manage.py charger_referentiels »."
        )
    annee = AnneeScolaire.courante(aujourd_hui)
    etab, _ = Etablissement.objects.get_or_create(
        uai="0699990J",
        defaults={
            "nom": "Lycée professionnel de démonstration",
            "slug": "lp-demo",
            "ville": "Villeurbanne",
            "academie": "Lyon",
            "book_active": True,
        },
    )
    etab.diplomes.set(diplomes.values())
    autre, _ = Etablissement.objects.get_or_create(
        uai="0699991K",
        defaults={
            "nom": "Lycée professionnel Voisin",
            "slug": "lp-voisin",
            "ville": "Vénissieux",
            "academie": "Lyon",
        },
    )
    autre.diplomes.set([diplomes["MCV-A"]])
    divisions = {}
    for nom, code, niveau, _ in DIVISIONS:
        divisions[nom], _ = Division.objects.get_or_create(
            etablissement=etab,
            annee=annee,
            nom=nom,
            defaults={"diplome": diplomes[code], "niveau": niveau},
        )
    ctx = DemoContext(etab, autre, annee, diplomes, divisions)
    pwd = make_password(MOT_DE_PASSE_DEMO)

    staff = [
        ("ddfpt", "demo.ddfpt", "Nadia", "Benali", Role.DDFPT, ()),
        ("chef", "demo.chef", "Philippe", "Marchand", Role.CHEF, ()),
        ("prof_mcva", "demo.prof.mcva", "Sophie", "Lambert", Role.ENSEIGNANT, ("MCV-A", "MCV-B")),
        ("prof_mcvb", "demo.prof.mcvb", "Karim", "Haddad", Role.ENSEIGNANT, ("MCV-B",)),
        ("prof_accueil", "demo.prof.accueil", "Isabelle", "Moreau", Role.ENSEIGNANT, ("MA",)),
        (
            "prof_seconde",
            "demo.prof.seconde",
            "Julien",
            "Fontaine",
            Role.ENSEIGNANT,
            ("2MRC", "MCV-A"),
        ),
        ("tuteur1", "demo.tuteur.1", "Claire", "Dumas", Role.TUTEUR, ()),
        ("tuteur2", "demo.tuteur.2", "Marc", "Olivier", Role.TUTEUR, ()),
    ]
    for key, login, prenom, nom, role, codes_dip in staff:
        ctx.personnes[key] = _personne(
            etab,
            login,
            prenom,
            nom,
            role,
            diplomes=[diplomes[c] for c in codes_dip],
            password_hash=pwd,
        )
        detail = ", ".join(diplomes[c].intitule_court for c in codes_dip)
        ctx.identifiants.append((Role(role).label, login, detail))

    rng = ctx.rng
    used = set(User.objects.values_list("username", flat=True))
    for div_index, (nom_div, _, _, nb_apprentis) in enumerate(DIVISIONS):
        division = divisions[nom_div]
        existing = Apprenant.objects.filter(division=division).count()
        for i in range(existing, APPRENANTS_PAR_DIVISION):
            prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
            base = _slug_login(prenom, nom)
            login, n = base, 1
            while login in used:
                n += 1
                login = f"{base}{n}"
            used.add(login)
            membership = _personne(
                etab, login, prenom, nom, Role.APPRENANT, password_hash=pwd, email=False
            )
            naissance_annee = (
                annee.debut - {"SECONDE": 15, "PREMIERE": 16, "TERMINALE": 17}[division.niveau]
            )
            idx = div_index * 100 + i
            Apprenant.objects.get_or_create(
                membership=membership,
                defaults={
                    "etablissement": etab,
                    "division": division,
                    "statut": Statut.APPRENTI if i < nb_apprentis else Statut.SCOLAIRE,
                    "sexe": Sexe.FEMININ if prenom in PRENOMS_FEMININS else Sexe.MASCULIN,
                    "ine": f"{70000000 + idx:09d}{chr(65 + idx % 26)}{chr(65 + idx // 26 % 26)}",
                    "eleve_id": str(4200000 + idx),
                    "date_naissance": datetime.date(
                        naissance_annee, rng.randint(1, 12), rng.randint(1, 28)
                    ),
                },
            )
    # One scolaire and one apprentice of 1MCVA as ready-made logins.
    firsts = (
        Apprenant.objects.filter(division=divisions["1MCVA"])
        .select_related("membership__user")
        .order_by("statut", "pk")
    )
    apprenti = firsts.filter(statut=Statut.APPRENTI).first()
    scolaire = firsts.filter(statut=Statut.SCOLAIRE).first()
    ctx.identifiants.append(("Apprenant (scolaire)", scolaire.membership.user.username, "1MCVA"))
    ctx.identifiants.append(("Apprenant (apprenti)", apprenti.membership.user.username, "1MCVA"))

    # Second establishment, for isolation.
    voisin_div, _ = Division.objects.get_or_create(
        etablissement=autre,
        annee=annee,
        nom="1MCVA",
        defaults={"diplome": diplomes["MCV-A"], "niveau": Niveau.PREMIERE},
    )
    _personne(autre, "voisin.ddfpt", "Paul", "Renard", Role.DDFPT, password_hash=pwd)
    _personne(
        autre,
        "voisin.prof",
        "Agnès",
        "Lemoine",
        Role.ENSEIGNANT,
        diplomes=[diplomes["MCV-A"]],
        password_hash=pwd,
    )
    ctx.identifiants.append(("DDFPT (Lycée Voisin)", "voisin.ddfpt", "/lp-voisin/"))
    return ctx
