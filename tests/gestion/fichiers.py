"""Import files built in the tests: a realistic SIECLE ElevesSansAdresses export and CSV."""

ELEVES = [
    # eleve_id, ine, nom, prenom, naissance, division (None: no "D" structure)
    ("501234", "1234567890A", "LEFÈVRE", "Éloïse", "14/03/2008", "1MCV"),
    ("501235", "2345678901B", "NGUYEN", "Hugo", "02/11/2007", "1MCV"),
    ("501236", "3456789012C", "DURAND", "Inès", "27/06/2009", "2MRC"),
    ("501237", "4567890123D", "MÜLLER", "Zoé", "05/01/2008", None),
]


def siecle(eleves=ELEVES, *, encoding="ISO-8859-1", declaration=True) -> bytes:
    """An ElevesSansAdresses.xml as SIECLE exports it (ISO-8859-1, XML declaration)."""
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
        lignes += [
            f'      <ELEVE ELEVE_ID="{eleve_id}" ELENOET="{eleve_id[-4:]}">',
            f"        <ID_NATIONAL>{ine}</ID_NATIONAL>" if ine else "",
            "        <ELENOET>1234</ELENOET>",
            f"        <NOM_DE_FAMILLE>{nom}</NOM_DE_FAMILLE>",
            f"        <NOM_USAGE>{nom}</NOM_USAGE>",
            f"        <PRENOM>{prenom}</PRENOM>",
            f"        <DATE_NAISS>{naissance}</DATE_NAISS>",
            "        <CODE_SEXE>2</CODE_SEXE>",
            "        <CODE_PAYS>100</CODE_PAYS>",
            "        <CODE_REGIME>2</CODE_REGIME>",
            "      </ELEVE>",
        ]
    lignes += ["    </ELEVES>", "    <STRUCTURES>"]
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
