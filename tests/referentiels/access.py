from tests.access import STAFF, Access

ACCESS = [
    Access("referentiels:navigateur", allowed=STAFF),
    # GET shows the page with the button; the POST path is tested in test_views.py (the access
    # matrix treats POST entries as POST-only views).
    Access("referentiels:imprimer", allowed=STAFF),
    Access("referentiels:administration", allowed={"ddfpt"}),
    # Without a previewed document in the session: back to the administration page.
    Access("referentiels:confirmer_import", method="POST", allowed={"ddfpt"}, ok=302),
]
ACCESS += [
    # POST-only: queues the ODS export of a loaded diplôme → the job's page (302).
    Access(
        "referentiels:exporter_tableur",
        kwargs=lambda p: {"diplome_id": p.a.diplome.pk},
        method="POST",
        allowed={"ddfpt"},
        ok=302,
        ids_partages=True,  # référentiels are shared: any loaded diplôme can be exported
    ),
]

# The establishment's transversal competences (DDFPT page, views_transversal).
from tests.referentiels import transversal as tt  # noqa: E402

ACCESS += [
    Access("referentiels:transversal", allowed={"ddfpt"}),
    Access(
        "referentiels:transversal_competence",
        kwargs=lambda p: {"pk": tt.competence(p.a, "EQU").pk},
        method="POST",
        data=lambda p: {"action": "monter"},
        allowed={"ddfpt"},
        ok=302,
    ),
    Access(
        "referentiels:transversal_critere",
        kwargs=lambda p: {"pk": tt.critere(p.a, "AUT.2").pk},
        method="POST",
        data=lambda p: {"action": "monter"},
        allowed={"ddfpt"},
        ok=302,
    ),
    Access("referentiels:transversal_jeu_de_depart", method="POST", allowed={"ddfpt"}, ok=302),
    # Without a file: back to the page with the form's error.
    Access("referentiels:transversal_importer", method="POST", allowed={"ddfpt"}, ok=302),
    Access(
        "referentiels:transversal_exporter",
        kwargs=lambda p: (tt.referentiel(p.a), {})[1],
        allowed={"ddfpt"},
    ),
]
