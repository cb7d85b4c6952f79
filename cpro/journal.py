"""The Journal des actions as people read it: filters, and each entry's before → after put in
French (labels of the action codes and of the fields, values formatted).

The raw data stays in the database and in the CSV export (`cpro.exporters`); this module only
renders. Names of learners and people recorded by id in the JSON are resolved for a whole page
at once: one query for the learners, one for the people, whatever the number of entries.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cpro.audit import LIBELLES_CHAMPS, libelle_action
from cpro.maitrise import Maitrise
from cpro.models import Apprenant, AuditLog, User

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]
PAR_PAGE = 25

# Keys whose integer values (or lists of integers) are ids of learners / of people (users).
CLES_APPRENANTS = frozenset({"apprenant", "apprenants"})
CLES_PERSONNES = frozenset({"enseignants", "valide_par", "verrouillee_par"})
# Keys holding a level of the mastery scale.
CLES_NIVEAUX = frozenset({"niveau", "niveau_propose"})

_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
VIDE = "—"


# --- filters ---------------------------------------------------------------------------------


class _ChoixPersonne(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class _ChoixApprenant(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj.membership.user)


class FiltreJournalForm(forms.Form):
    """Du / au (dates), personne (who acted), action, apprenant (entries about a learner)."""

    du = forms.DateField(
        label=_("Du"),
        required=False,
        input_formats=FORMATS_DATE,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"}),
    )
    au = forms.DateField(
        label=_("Au"),
        required=False,
        input_formats=FORMATS_DATE,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"}),
    )
    personne = _ChoixPersonne(
        label=_("Personne"), queryset=User.objects.none(), required=False, empty_label=_("Toutes")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    apprenant = _ChoixApprenant(
        label=_("Apprenant"),
        queryset=Apprenant.objects.none(),
        required=False,
        empty_label=_("Tous"),
    )

    def __init__(self, *args, etablissement, **kwargs):
        super().__init__(*args, **kwargs)
        du_journal = AuditLog.objects.filter(etablissement=etablissement)
        # People who appear in this establishment's log (one query when the form renders).
        self.fields["personne"].queryset = User.objects.filter(
            pk__in=du_journal.values("acteur_id")
        ).order_by("last_name", "first_name")
        codes = du_journal.order_by().values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("Toutes"))] + sorted(
            ((code, libelle_action(code)) for code in codes), key=lambda c: str(c[1]).casefold()
        )
        self.fields["apprenant"].queryset = (
            Apprenant.objects.filter(etablissement=etablissement)
            .select_related("membership__user")
            .order_by("membership__user__last_name", "membership__user__first_name")
        )

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            raise forms.ValidationError(
                _("La date de début (du) doit précéder la date de fin (au)."), code="periode"
            )
        return donnees


def filtrer(entrees: QuerySet, form: FiltreJournalForm) -> QuerySet:
    """The entries matching a valid form; an invalid or empty form filters nothing."""
    if not form.is_bound or not form.is_valid():
        return entrees
    d = form.cleaned_data
    tz = timezone.get_current_timezone()
    if d.get("du"):
        debut = datetime.datetime.combine(d["du"], datetime.time.min, tzinfo=tz)
        entrees = entrees.filter(cree_le__gte=debut)
    if d.get("au"):
        fin = datetime.datetime.combine(
            d["au"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        entrees = entrees.filter(cree_le__lt=fin)
    if d.get("personne"):
        entrees = entrees.filter(acteur=d["personne"])
    if d.get("action"):
        entrees = entrees.filter(action=d["action"])
    if d.get("apprenant"):
        entrees = entrees.filter(filtre_apprenant(d["apprenant"]))
    return entrees


def filtre_apprenant(apprenant: Apprenant) -> Q:
    """Entries about a learner: the RGPD rule (profile, account, their objects, what they did)
    and the entries that name them by id (a résultat: `{"apprenant": 12, …}`)."""
    from cpro.rgpd import filtre_journal

    return (
        filtre_journal(apprenant)
        | Q(avant__apprenant=apprenant.pk)
        | Q(apres__apprenant=apprenant.pk)
    )


def parametres_filtres(form: FiltreJournalForm) -> str:
    """The query string of the current filters (without the page), for the pagination links."""
    if not form.is_bound:
        return ""
    noms = [nom for nom in form.fields if form.data.get(nom)]
    return urlencode({nom: form.data.get(nom) for nom in noms})


# --- rendering -------------------------------------------------------------------------------


@dataclass
class Changement:
    libelle: str
    avant: str | None  # None: the key is absent from that side
    apres: str | None
    modifie: bool


@dataclass
class LigneJournal:
    entree: AuditLog
    action: str
    # Changed fields first, then what was recorded on one side only (a count, a reason).
    changements: list[Changement] = field(default_factory=list)
    # Unchanged, non-empty values recorded for context (the learner, the criterion).
    contexte: list[Changement] = field(default_factory=list)


def _ids(valeur) -> list[int]:
    if isinstance(valeur, bool):
        return []
    if isinstance(valeur, int):
        return [valeur]
    if isinstance(valeur, str) and valeur.isdigit():
        return [int(valeur)]
    if isinstance(valeur, list | tuple):
        return [i for v in valeur for i in _ids(v)]
    if isinstance(valeur, dict):
        return [i for k in valeur for i in _ids(k)]
    return []


def _ids_sous(entrees, cles) -> set[int]:
    ids = set()
    for e in entrees:
        for cote in (e.avant, e.apres):
            if isinstance(cote, dict):
                for cle in cles & cote.keys():
                    ids.update(_ids(cote[cle]))
    return ids


@dataclass
class _Contexte:
    apprenants: dict[int, str]
    personnes: dict[int, str]
    modeles: dict = field(default_factory=dict)

    def modele(self, label: str):
        if label not in self.modeles:
            try:
                self.modeles[label] = apps.get_model(label) if label else None
            except (LookupError, ValueError):
                self.modeles[label] = None
        return self.modeles[label]


def _champ(modele, cle: str):
    if modele is None:
        return None
    try:
        champ = modele._meta.get_field(cle)
    except FieldDoesNotExist:
        return None
    # A reverse relation (`critere.resultats`) is not a field of the object: a key of that
    # name is a count or a list recorded by the service.
    if champ.auto_created and not champ.concrete:
        return None
    return champ


def libelle_champ(cle: str, modele=None) -> str:
    """A model field's verbose_name, else the label declared in cpro.audit, else the key."""
    champ = _champ(modele, cle)
    if champ is not None and getattr(champ, "verbose_name", None):
        if str(champ.verbose_name) != cle.replace("_", " "):
            return capfirst(str(champ.verbose_name))
    if cle in LIBELLES_CHAMPS:
        return str(LIBELLES_CHAMPS[cle])
    return capfirst(cle.replace("_", " "))


def _nombre(valeur) -> str:
    if isinstance(valeur, float):
        texte = f"{valeur:.2f}".rstrip("0").rstrip(".")
        return texte.replace(".", ",")
    return str(valeur)


def _texte(valeur: str) -> str:
    if _DATE_ISO.match(valeur):
        try:
            return datetime.date.fromisoformat(valeur).strftime("%d/%m/%Y")
        except ValueError:
            return valeur
    if _DATETIME_ISO.match(valeur):
        try:
            moment = datetime.datetime.fromisoformat(valeur)
        except ValueError:
            return valeur
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    return valeur


def formater(cle: str, valeur, ctx: _Contexte, modele=None) -> str:
    """One value of a before/after dict, in French."""
    if valeur is None or valeur == "" or valeur == [] or valeur == {}:
        return VIDE
    if isinstance(valeur, bool):
        return str(_("Oui")) if valeur else str(_("Non"))
    if cle in CLES_NIVEAUX and not isinstance(valeur, list | dict):
        try:
            return str(Maitrise(str(valeur)).label)
        except ValueError:
            return str(valeur)
    if cle in CLES_APPRENANTS or cle in CLES_PERSONNES:
        noms = ctx.apprenants if cle in CLES_APPRENANTS else ctx.personnes
        ids = _ids(valeur)
        if ids:
            return ", ".join(noms.get(i, f"n°{i}") for i in ids)
    champ = _champ(modele, cle)
    choix = getattr(champ, "choices", None)
    if choix and not isinstance(valeur, list | dict):
        libelles = {str(k): v for k, v in champ.flatchoices}
        if str(valeur) in libelles:
            return str(libelles[str(valeur)])
    if isinstance(valeur, list | tuple):
        return ", ".join(formater(cle, v, ctx) for v in valeur)
    if isinstance(valeur, dict):
        return " ; ".join(f"{libelle_champ(k)} : {formater(k, v, ctx)}" for k, v in valeur.items())
    if isinstance(valeur, int | float):
        return _nombre(valeur)
    return _texte(str(valeur))


def _changements(entree: AuditLog, ctx: _Contexte) -> list[Changement]:
    avant = entree.avant if isinstance(entree.avant, dict) else {"valeur": entree.avant}
    apres = entree.apres if isinstance(entree.apres, dict) else {"valeur": entree.apres}
    modele = ctx.modele(entree.objet_type)
    cles = list(avant) + [k for k in apres if k not in avant]
    resultat = []
    for cle in cles:
        a = formater(cle, avant[cle], ctx, modele) if cle in avant else None
        b = formater(cle, apres[cle], ctx, modele) if cle in apres else None
        modifie = cle in avant and cle in apres and avant[cle] != apres[cle]
        resultat.append(Changement(libelle_champ(cle, modele), a, b, modifie))
    resultat.sort(key=lambda c: not c.modifie)
    return resultat


def _ligne(entree: AuditLog, ctx: _Contexte) -> LigneJournal:
    tous = _changements(entree, ctx)
    ligne = LigneJournal(entree, libelle_action(entree.action))
    for c in tous:
        inchange = not c.modifie and c.avant is not None and c.apres is not None
        if not inchange:
            ligne.changements.append(c)
        elif c.apres != VIDE:
            ligne.contexte.append(c)
    return ligne


def lignes(entrees, etablissement) -> list[LigneJournal]:
    """The entries of one page, ready to show. Queries: at most two (names of the learners and
    of the people recorded by id), whatever the number of entries."""
    entrees = list(entrees)
    ids_apprenants = _ids_sous(entrees, CLES_APPRENANTS)
    ids_personnes = _ids_sous(entrees, CLES_PERSONNES)
    apprenants = {}
    if ids_apprenants:
        apprenants = {
            a.pk: str(a.membership.user)
            for a in Apprenant.objects.filter(
                etablissement=etablissement, pk__in=ids_apprenants
            ).select_related("membership__user")
        }
    personnes = {}
    if ids_personnes:
        personnes = {
            u.pk: str(u)
            for u in User.objects.filter(
                pk__in=ids_personnes, memberships__etablissement=etablissement
            )
        }
    ctx = _Contexte(apprenants=apprenants, personnes=personnes)
    return [_ligne(e, ctx) for e in entrees]
