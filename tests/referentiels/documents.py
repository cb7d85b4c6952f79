"""Small référentiel documents (format cpro-referentiel) for tests."""

import copy


def _p(confiance="high", source="test"):
    return {"source": source, "confiance": confiance}


def document_minimal(code="TINY", version="2019", intitule_court="Bac Pro Tiny") -> dict:
    """One unit, one activity with one task, one bloc with one competence and one criterion."""
    return copy.deepcopy(
        {
            "format": "cpro-referentiel",
            "format_version": 1,
            "diplome": {
                "code": code,
                "version": version,
                "intitule": f"Baccalauréat professionnel {code}",
                "intitule_court": intitule_court,
                "code_diplome": "",
                "famille": "",
                "niveaux": ["PREMIERE", "TERMINALE"],
                "texte": "",
                "avertissements": [],
                **_p(),
            },
            "unites": [
                {
                    "code": "U31",
                    "epreuve": "E31",
                    "intitule": "Épreuve pratique",
                    "mode": "CCF",
                    "coefficient": 4,
                    "ccf": True,
                    **_p(),
                }
            ],
            "activites": [
                {
                    "code": "A1",
                    "intitule": "Activité unique",
                    **_p(),
                    "taches": [{"code": "A1-T1", "intitule": "Tâche unique", **_p()}],
                }
            ],
            "groupes": [
                {
                    "code": "B1",
                    "intitule": "Bloc unique",
                    "unite": "U31",
                    **_p(),
                    "competences": [
                        {
                            "code": "C1.1",
                            "intitule": "Compétence unique",
                            "details": ["Détail"],
                            "correspondances": [],
                            **_p("low", "reconstruit"),
                            "criteres": [
                                {
                                    "code": "C1.1-1",
                                    "intitule": "Critère unique",
                                    "descripteurs": [
                                        {"niveau": n, "descripteur": f"Descripteur {n}"}
                                        for n in ("N1", "N2", "N3", "N4")
                                    ],
                                    **_p(),
                                    "indicateurs": [
                                        {"code": "C1.1-1-a", "intitule": "Indicateur", **_p()}
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
            "matrice": [{"tache": "A1-T1", "competence": "C1.1", **_p("medium")}],
            "grilles_ccf": [
                {
                    "epreuve": "E31",
                    "unite": "U31",
                    "titre": "E31 – Épreuve pratique",
                    "description": "",
                    "niveaux": ["N1", "N2", "N3", "N4"],
                    "champs_entete": ["Académie"],
                    "commentaires": ["Appréciation"],
                    "note": {"scale": "/20"},
                    "competences": ["C1.1"],
                    **_p(),
                }
            ],
            "competences_lsl": [
                {
                    "code": "0101",
                    "intitule": "Compétence unique",
                    "competences": ["C1.1"],
                    **_p("low"),
                }
            ],
        }
    )
