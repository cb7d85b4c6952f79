"""Import files built in the tests: a realistic SIECLE ElevesSansAdresses export and CSV.

The SIECLE structure (BEE_ELEVES / PARAMETRES / DONNEES / ELEVES / ELEVE ELEVE_ID=… with
ID_NATIONAL, NOM_DE_FAMILLE, NOM_USAGE, PRENOM, DATE_NAISS, CODE_MEF, CODE_STATUT, DATE_SORTIE;
OPTIONS / OPTION ELEVE_ID=… / OPTIONS_ELEVE with NUM_OPTION, CODE_MODALITE_ELECT, CODE_MATIERE;
STRUCTURES / STRUCTURES_ELEVE / STRUCTURE with CODE_STRUCTURE, TYPE_STRUCTURE D or G) follows
the SIECLE files reproduced in open-source importers' tests and readers: Pix (1024pix/pix,
acceptance test of `import-students`: CODE_STATUT « ST » / « AP », DATE_SORTIE, NOM_USAGE,
ISO-8859-15 declaration) and the SambaEdu / GEPI SIECLE readers (OPTIONS section between
ELEVES and STRUCTURES). The MEF codes below are 11-character test values, not real MEF codes.
"""

ELEVES = [
    # eleve_id, ine, nom, prenom, naissance, division (None: no "D" structure)
    ("501234", "1234567890A", "LEFÈVRE", "Éloïse", "14/03/2008", "1MCV"),
    ("501235", "2345678901B", "NGUYEN", "Hugo", "02/11/2007", "1MCV"),
    ("501236", "3456789012C", "DURAND", "Inès", "27/06/2009", "2MRC"),
    ("501237", "4567890123D", "MÜLLER", "Zoé", "05/01/2008", None),
]

MEF_1MCV = "24723402210"
MEF_2MRC = "24723402110"

# What the realistic file says besides the identity, per ELEVE_ID: CODE_STATUT, CODE_MEF,
# NOM_USAGE (None: the element is absent), DATE_SORTIE, options [(NUM_OPTION, modalité, matière)],
# CODE_SEXE (1 masculin, 2 féminin; None: the element is absent).
SIECLE_EXTRA = {
    "501234": {
        "statut": "ST",
        "mef": MEF_1MCV,
        "nom_usage": "MARTIN",
        "options": [(1, "S", "030201"), (2, "F", "020700")],
        "sexe": "2",
    },
    "501235": {"statut": "AP", "mef": MEF_1MCV, "options": [(1, "S", "030201")], "sexe": "1"},
    "501236": {"statut": "ST", "mef": MEF_2MRC, "sexe": "2"},
    "501237": {"statut": "ST", "mef": MEF_2MRC, "sexe": "2"},
}


def siecle(
    eleves=ELEVES,
    *,
    encoding="ISO-8859-15",
    declaration=True,
    extra=None,
    avec_options=True,
) -> bytes:
    """An ElevesSansAdresses.xml as SIECLE exports it (ISO-8859-15, XML declaration).

    `extra` overrides SIECLE_EXTRA (keys statut, mef, nom_usage, sortie, options, sexe) per
    ELEVE_ID; a pupil absent from both gets no CODE_STATUT / CODE_MEF / DATE_SORTIE element
    and NOM_USAGE equal to the legal name. `avec_options=False`: no OPTIONS section at all."""
    infos = {k: dict(v) for k, v in SIECLE_EXTRA.items()}
    for eleve_id, valeurs in (extra or {}).items():
        infos.setdefault(eleve_id, {}).update(valeurs)
    lignes = []
    if declaration:
        lignes.append(f'<?xml version="1.0" encoding="{encoding}"?>')
    lignes += [
        '<BEE_ELEVES VERSION="3.3">',
        "  <PARAMETRES><UAJ>0690001B</UAJ><ANNEE_SCOLAIRE>2025</ANNEE_SCOLAIRE>"
        "<DATE_EXPORT>02/09/2025</DATE_EXPORT><HORODATAGE>02/09/2025 08:12:00</HORODATAGE>"
        "</PARAMETRES>",
        "  <DONNEES>",
        "    <ELEVES>",
    ]
    for eleve_id, ine, nom, prenom, naissance, _division in eleves:
        info = infos.get(eleve_id, {})
        nom_usage = info.get("nom_usage", nom)
        lignes += [
            f'      <ELEVE ELEVE_ID="{eleve_id}" ELENOET="{eleve_id[-4:]}">',
            f"        <ID_NATIONAL>{ine}</ID_NATIONAL>" if ine else "",
            "        <ELENOET>1234</ELENOET>",
            f"        <NOM_DE_FAMILLE>{nom}</NOM_DE_FAMILLE>",
            f"        <NOM_USAGE>{nom_usage}</NOM_USAGE>" if nom_usage is not None else "",
            f"        <PRENOM>{prenom}</PRENOM>",
            f"        <DATE_NAISS>{naissance}</DATE_NAISS>",
            f"        <CODE_SEXE>{info['sexe']}</CODE_SEXE>" if info.get("sexe") else "",
            "        <CODE_PAYS>100</CODE_PAYS>",
            "        <CODE_REGIME>2</CODE_REGIME>",
            "        <DATE_ENTREE>01/09/2025</DATE_ENTREE>",
            f"        <DATE_SORTIE>{info['sortie']}</DATE_SORTIE>" if info.get("sortie") else "",
            f"        <CODE_MEF>{info['mef']}</CODE_MEF>" if info.get("mef") else "",
            f"        <CODE_STATUT>{info['statut']}</CODE_STATUT>" if info.get("statut") else "",
            "      </ELEVE>",
        ]
    lignes.append("    </ELEVES>")
    if avec_options:
        lignes.append("    <OPTIONS>")
        for eleve_id, *_rest in eleves:
            options = infos.get(eleve_id, {}).get("options")
            if not options:
                continue
            lignes.append(f'      <OPTION ELEVE_ID="{eleve_id}" ELENOET="{eleve_id[-4:]}">')
            for num, modalite, matiere in options:
                lignes += [
                    "        <OPTIONS_ELEVE>",
                    f"          <NUM_OPTION>{num}</NUM_OPTION>",
                    f"          <CODE_MODALITE_ELECT>{modalite}</CODE_MODALITE_ELECT>",
                    f"          <CODE_MATIERE>{matiere}</CODE_MATIERE>",
                    "        </OPTIONS_ELEVE>",
                ]
            lignes.append("      </OPTION>")
        lignes.append("    </OPTIONS>")
    lignes.append("    <STRUCTURES>")
    for eleve_id, *_rest, division in eleves:
        lignes.append(f'      <STRUCTURES_ELEVE ELEVE_ID="{eleve_id}" ELENOET="1234">')
        if division:
            lignes += [
                "        <STRUCTURE>",
                f"          <CODE_STRUCTURE>{division}</CODE_STRUCTURE>",
                "          <TYPE_STRUCTURE>D</TYPE_STRUCTURE>",
                "        </STRUCTURE>",
            ]
        lignes += [
            "        <STRUCTURE>",
            "          <CODE_STRUCTURE>GR-ANG</CODE_STRUCTURE>",
            "          <TYPE_STRUCTURE>G</TYPE_STRUCTURE>",
            "        </STRUCTURE>",
            "      </STRUCTURES_ELEVE>",
        ]
    lignes += ["    </STRUCTURES>", "  </DONNEES>", "</BEE_ELEVES>", ""]
    return "\n".join(line for line in lignes if line).encode(encoding)


ENTETE = "nom;prenom;date_naissance;ine;eleve_id;division;statut"


def csv_apprenants(lignes, *, sep=";", encoding="utf-8", bom=False, entete=ENTETE) -> bytes:
    texte = "\r\n".join([entete.replace(";", sep), *(sep.join(ligne) for ligne in lignes)])
    data = (texte + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


CSV_LIGNES = [
    ("Lefèvre", "Éloïse", "14/03/2008", "1234567890A", "501234", "1MCV", "scolaire"),
    ("Nguyen", "Hugo", "02/11/2007", "2345678901B", "501235", "1MCV", "apprenti"),
]
