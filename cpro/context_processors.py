from cpro.navigation import menus_pour


def cpro(request):
    etab = getattr(request, "etablissement", None)
    if etab is None or getattr(request, "membership", None) is None:
        return {"etablissement": etab}
    return {
        "etablissement": etab,
        "membership": request.membership,
        "cpro_perms": request.cpro_perms,
        "diplome": request.diplome,
        "diplomes": request.diplomes,
        "menus": menus_pour(request),
    }
