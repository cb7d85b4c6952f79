"""Every view carries type hints (issue 16): its parameters (`request: HttpRequest`, ids
`int`…) and its return (`HttpResponse` / `HttpResponseBase`). The views are found by walking
the resolver, as the access matrix does (those under /<slug>/, and the few at the root), so a
new view without hints fails."""

import inspect
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

METHODES_HTTP = ("get", "post", "put", "patch", "delete")


def _du_projet(fonction) -> bool:
    fichier = inspect.getsourcefile(fonction) or ""
    racine = Path(settings.BASE_DIR).resolve()
    chemin = Path(fichier).resolve()
    return chemin.is_relative_to(racine) and ".venv" not in chemin.parts


def _fonctions(callback) -> list:
    """The code a URL runs: the function under its decorators, or the HTTP methods of its
    class-based view."""
    classe = getattr(callback, "view_class", None)
    if classe is None:
        vue = inspect.unwrap(callback)
        classe = getattr(vue, "view_class", None)
        if classe is None:
            return [vue]
    return [getattr(classe, m) for m in METHODES_HTTP if hasattr(classe, m)]


def vues_du_projet(*, sous_etab_seulement: bool = False) -> dict[str, object]:
    """{"module.qualname": function} of every view of the project's urlconf (only those under
    /<slug>/ with `sous_etab_seulement`); Django's and libraries' views are not ours."""
    vues = {}

    def parcourir(motifs, sous_etab):
        for motif in motifs:
            if isinstance(motif, URLResolver):
                parcourir(motif.url_patterns, sous_etab or "<slug:etab>" in str(motif.pattern))
            elif isinstance(motif, URLPattern) and (sous_etab or not sous_etab_seulement):
                for f in _fonctions(motif.callback):
                    if _du_projet(f):
                        vues[f"{f.__module__}.{f.__qualname__}"] = f

    parcourir(get_resolver().url_patterns, False)
    return vues


def _manques(fonction) -> list[str]:
    signature = inspect.signature(fonction)
    manques = [
        nom
        for nom, p in signature.parameters.items()
        if nom != "self" and p.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty:
        manques.append("-> (retour)")
    return manques


def test_le_parcours_trouve_les_vues():
    # The walk itself: decorated function views and the shared fiche tabs' methods are found.
    vues = vues_du_projet(sous_etab_seulement=True)
    assert len(vues) > 100
    assert "scenarios.views_fiche.OngletLiaison.post" in vues
    assert "evaluations.views.supprimer" in vues
    assert "cpro.views.favicon" not in vues and "cpro.views.favicon" in vues_du_projet()


def test_chaque_vue_annote_ses_parametres_et_son_retour():
    sans = {nom: manques for nom, f in sorted(vues_du_projet().items()) if (manques := _manques(f))}
    assert sans == {}


def test_une_vue_sans_annotation_est_signalee():
    def vue(request, pk):
        return None

    def annotee(request: object, pk: int) -> object:
        return None

    assert _manques(vue) == ["request", "pk", "-> (retour)"]
    assert _manques(annotee) == []
