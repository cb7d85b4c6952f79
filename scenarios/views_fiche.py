"""The tabs a scénario and an évaluation share (contexte, liaison avec le référentiel,
ressources), written once and subclassed per module (les-emplois' base views are the model).

A subclass names its module (`espace`: URL namespace and template folder, `nom_objet`: the
template variable, `services`, `queries`) and says how to reach the fiche (`fiche`, an
access-checked accessor that answers 404/403) and what every tab of its form shows
(`contexte_formulaire`). The tab views stay thin: accessor → form → one service → redirect or
partial; the rules are in the module's services (who may write) and in scenarios.fiche.
"""

from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.decorators.http import require_http_methods

from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.perms import permission_requise
from cpro.ressources import ajouter_ressource, telecharger_ressource
from cpro.urls_tools import etab_reverse
from scenarios.fiche import ConfirmationRequise


def vue(classe: type[View], permission: str, methodes: list[str]):
    """`classe.as_view()` behind the decorators the function views carry: the HTTP methods
    allowed (405 otherwise), then the module permission (403; read by the access matrix)."""
    return require_http_methods(methodes)(permission_requise(permission)(classe.as_view()))


def menu(request, onglets, fiche, actif: str) -> list[dict]:
    """The left menu of a fiche's form: `onglets` is ((code, URL name, label), …); no links
    before the fiche exists (creation)."""
    return [
        {
            "code": code,
            "libelle": libelle,
            "url": etab_reverse(request, url_name, pk=fiche.pk) if fiche else None,
            "actif": code == actif,
        }
        for code, url_name, libelle in onglets
    ]


class OngletFiche(View):
    """What every shared tab knows of its module."""

    espace = ""  # "scenarios" / "evaluations": URL namespace and template folder
    nom_objet = ""  # "scenario" / "evaluation": the fiche's name in the templates
    services = None  # the module's services (who may write is checked there)
    queries = None  # the module's queries (`libelle_niveau`, `liaison`, `ressource_pour`)
    onglet = ""

    def fiche(self, request, pk):
        """The fiche `pk` for its editing tabs, access checked (404 / 403)."""
        raise NotImplementedError

    def fiche_lue(self, request, pk):
        """The fiche `pk` for reading (every colleague who sees it), access checked (404)."""
        raise NotImplementedError

    def contexte_formulaire(self, request, fiche, onglet: str, **extra) -> dict:
        """What every tab of the module's form shows (left menu, banners…)."""
        raise NotImplementedError

    def url(self, request, nom: str, fiche, **kwargs) -> str:
        return etab_reverse(request, f"{self.espace}:{nom}", pk=fiche.pk, **kwargs)

    def gabarit(self, nom: str) -> str:
        return f"{self.espace}/{nom}.html"

    def page(self, request, fiche, onglet: str | None = None, **extra) -> dict:
        ctx = self.contexte_formulaire(
            request,
            fiche,
            onglet or self.onglet,
            libelle_niveau=self.queries.libelle_niveau(fiche.niveau),
            **extra,
        )
        # The shared templates (templates/fiche/) name the fiche and its URL namespace alike.
        return {**ctx, "fiche": fiche, "espace": self.espace}


class OngletContexte(OngletFiche):
    """GET: the Contexte tab. POST: save it through the module's service, then redirect."""

    onglet = "contexte"
    form_class = None
    message_succes = ""

    def initial(self, fiche) -> dict:
        return {"contexte": fiche.contexte}

    def enregistrer(self, request, fiche, donnees: dict):
        """Call the module's service; its ValidationError lands on the form."""
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        fiche = self.fiche(request, pk)
        form = self.form_class(request.POST or None, initial=self.initial(fiche))
        if request.method == "POST" and form.is_valid():
            if appliquer_service(form, lambda: self.enregistrer(request, fiche, form.cleaned_data)):
                messages.success(request, self.message_succes)
                return redirect(self.url(request, "contexte", fiche))
        return render(request, self.gabarit("contexte"), self.page(request, fiche, form=form))


def _entier(valeur):
    try:
        return int(valeur)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Élément du référentiel inconnu.") from exc


class OngletLiaison(OngletFiche):
    """GET: the tab (full page, or the partial for HTMX). POST: toggle one task (`tache`) or
    one criterion (`critere`; `confirme` once a ConfirmationRequise is confirmed), then
    redirect back to the same tabs and anchor, or answer the re-rendered partial to HTMX."""

    onglet = "liaison"
    # What the redirect after a toggle keeps of the request (`critere` keeps its competence
    # open: the competences are folded).
    parametres_retour = ("activite", "groupe", "critere")

    def basculer_critere(self, request, fiche, critere_id: int) -> None:
        self.services.basculer_critere(fiche, critere_id, par=request.user)

    def lire(self, fiche, *, activite: str, groupe: str, critere: str):
        return self.queries.liaison(
            fiche,
            activite_code=activite,
            groupe_code=groupe,
            critere_actif=int(critere) if critere.isdigit() else None,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        fiche = self.fiche(request, pk)
        source = request.POST if request.method == "POST" else request.GET
        valeurs = {cle: source.get(cle, "") for cle in ("activite", "groupe", "critere")}
        erreur, demande, critere_id = "", None, None
        if request.method == "POST":
            ancre = "liaison"
            try:
                if "tache" in request.POST:
                    tache_id = _entier(request.POST["tache"])
                    self.services.basculer_tache(fiche, tache_id, par=request.user)
                    ancre = f"tache-{tache_id}"
                elif "critere" in request.POST:
                    critere_id = _entier(request.POST["critere"])
                    ancre = f"critere-{critere_id}"
                    self.basculer_critere(request, fiche, critere_id)
                else:
                    raise ValidationError("Choisissez une tâche ou un critère.")
            except ConfirmationRequise as exc:
                demande = exc
            except ValidationError as exc:
                erreur = " ".join(exc.messages)
            if not request.htmx:
                url = self.url(request, "liaison", fiche)
                params = urlencode({k: valeurs[k] for k in self.parametres_retour if valeurs[k]})
                retour = f"{url}{'?' + params if params else ''}#{ancre}"
                if demande is not None:
                    return self.confirmer(request, fiche, demande, critere_id, valeurs, retour)
                if erreur:
                    messages.error(request, erreur)
                return redirect(retour)
        donnees = self.lire(
            fiche,
            activite=valeurs["activite"],
            groupe=valeurs["groupe"],
            critere=valeurs["critere"],
        )
        partiel = request.htmx and not request.htmx.history_restore_request
        ctx = {
            "liaison": donnees,
            "erreur": erreur,
            "demande": demande,
            "critere_a_confirmer": critere_id if demande else None,
        }
        if partiel:
            ctx.update({self.nom_objet: fiche, "fiche": fiche, "espace": self.espace})
        else:
            ctx = self.page(request, fiche, **ctx)
        gabarit = "fiche/_liaison.html" if partiel else self.gabarit("liaison")
        response = render(request, gabarit, ctx)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def confirmer(self, request, fiche, demande, critere_id, valeurs, annuler: str):
        """The confirmation page of a removal that deletes data (without JavaScript)."""
        return render(
            request,
            self.gabarit("confirmer"),
            self.page(
                request,
                fiche,
                demande=demande,
                action=self.url(request, "liaison", fiche),
                champs=[
                    ("critere", critere_id),
                    ("activite", valeurs["activite"]),
                    ("groupe", valeurs["groupe"]),
                ],
                annuler=annuler,
            ),
        )


class OngletRessources(OngletFiche):
    """GET: the resources tab. POST `action=fichier` (upload) or `action=lien`."""

    onglet = "ressources"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        fiche = self.fiche(request, pk)
        fichier_form, lien_form, ajoutee = ajouter_ressource(
            request, fiche, self.services, self.url(request, "ressources", fiche)
        )
        if ajoutee:
            return ajoutee
        return render(
            request,
            self.gabarit("ressources"),
            self.page(
                request,
                fiche,
                fichier_form=fichier_form,
                lien_form=lien_form,
                ressources=list(fiche.ressources.all()),
                ressources_max=self.services.RESSOURCES_MAX,
                types_acceptes=self.services.EXTENSIONS_LIBELLE,
            ),
        )


class RessourceSupprimer(OngletFiche):
    """POST only: delete a resource of the fiche, back to the resources tab."""

    def post(self, request: HttpRequest, pk: int, rpk: int) -> HttpResponse:
        fiche = self.fiche(request, pk)
        ressource = self.queries.ressource_pour(request, fiche, rpk)
        ressource.fiche = fiche
        try:
            self.services.supprimer_ressource(ressource, par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, f"La ressource « {ressource.titre} » a été supprimée.")
        return redirect(self.url(request, "ressources", fiche))


class RessourceTelecharger(OngletFiche):
    """GET: download a file resource; who may read the fiche is checked again by `fiche`,
    never a public URL."""

    def get(self, request: HttpRequest, pk: int, rpk: int) -> HttpResponseBase:
        fiche = self.fiche_lue(request, pk)
        return telecharger_ressource(self.queries.ressource_pour(request, fiche, rpk))


class Onglets(NamedTuple):
    """The views of a module's shared tabs (see `onglets`)."""

    contexte: object
    liaison: object
    ressources: object
    ressource_supprimer: object
    ressource: object


def onglets(cote: type, contexte: type, liaison: type, *, edition: str, lecture: str) -> Onglets:
    """The five views of the shared tabs for one module: `cote` is its OngletFiche mixin,
    `contexte` and `liaison` its subclasses of OngletContexte / OngletLiaison; `edition` the
    permission of the editing tabs, `lecture` the one of the download."""

    def classe(base: type) -> type:
        return type(f"{cote.__name__}{base.__name__}", (cote, base), {})

    lire_ecrire = ["GET", "POST"]
    return Onglets(
        contexte=vue(contexte, edition, lire_ecrire),
        liaison=vue(liaison, edition, lire_ecrire),
        ressources=vue(classe(OngletRessources), edition, lire_ecrire),
        ressource_supprimer=vue(classe(RessourceSupprimer), edition, ["POST"]),
        ressource=vue(classe(RessourceTelecharger), lecture, ["GET"]),
    )


def chemins(vues: Onglets) -> list:
    """Their URL patterns, the same paths and names in both modules."""
    return [
        path("<int:pk>/contexte/", vues.contexte, name="contexte"),
        path("<int:pk>/liaison/", vues.liaison, name="liaison"),
        path("<int:pk>/ressources/", vues.ressources, name="ressources"),
        path("<int:pk>/ressources/<int:rpk>/", vues.ressource, name="ressource"),
        path(
            "<int:pk>/ressources/<int:rpk>/supprimer/",
            vues.ressource_supprimer,
            name="ressource_supprimer",
        ),
    ]
