"""HTML of the rows of the évaluations list, built in Python from the values `page_liste` read.

A school year of a large establishment is hundreds of évaluations on one page (540 in the load
test, bench/CHARGE.md): rendered through the template engine, a row's fifteen lookups, filters
and links made this list the most expensive page teachers open (twice any other under load).
Same HTML as the template it replaced (tests/evaluations/test_rendu_liste.py renders both);
every value is escaped here. The row of a group of bilans entreprise (one per PFMP période)
stays in the template; its list of learners is built here.
"""

from html import escape  # = django.utils.html.escape on str, without its lazy wrapper

from django.utils.safestring import SafeString, mark_safe

from cpro.urls_tools import gabarit_url
from evaluations.models import Nature

_LIBELLES_NATURE = {n.value: (escape(n.label), escape(n.code)) for n in Nature}
_VERROU = '<span class="badge verrou"><span aria-hidden="true">🔒</span> Verrouillée</span>'
_MASQUEE = '<span class="badge">Masquée du tableau de bord</span>'


def html_ligne(ev, url_grille: str, url_modifier: str) -> SafeString:
    """One évaluation's `<tr>`: title and badges, « Éditer » when `ev.modifiable`, date,
    nature, number of learners, teachers, link to the grid."""
    titre = escape(ev.titre)
    libelle, code = _LIBELLES_NATURE.get(ev.nature, (escape(ev.nature), escape(ev.nature)))
    editer = ""
    if ev.modifiable:
        editer = (
            f'<a class="eval-editer bouton secondaire" href="{url_modifier.format(pk=ev.pk)}">'
            f"Éditer l'évaluation"
            f'<span class="visuellement-cache"> « {titre} »</span></a>'
        )
    enseignants = (
        escape(", ".join(ev.noms_enseignants))
        if ev.noms_enseignants
        else '<span class="discret">—</span>'
    )
    date = ev.date.strftime("%d/%m/%Y") if ev.date else ""
    return mark_safe(  # noqa: S308 — every value above is escaped
        f'<tr id="evaluation-{ev.pk}" class="eval-ligne">\n'
        f'        <th scope="row" class="eval-titre">\n'
        f"          <span>{titre}</span>\n"
        f"          {_VERROU if ev.verrouillee else ''}\n"
        f"          {'' if ev.afficher_tableau_de_bord else _MASQUEE}\n"
        f"          {editer}\n"
        f"        </th>\n"
        f'        <td data-label="Date">{date}</td>\n'
        f'        <td data-label="Niveau de complexité">'
        f'<abbr title="{libelle}">{code}</abbr></td>\n'
        f'        <td data-label="Apprenants">{ev.nb_apprenants}</td>\n'
        f'        <td data-label="Enseignants">{enseignants}</td>\n'
        f'        <td data-label="Grille"><a href="{url_grille.format(pk=ev.pk)}">'
        f"Grille de positionnement"
        f'<span class="visuellement-cache"> de « {titre} »</span></a></td>\n'
        f"      </tr>"
    )


def html_bilan_entreprise(ev, url_grille: str, url_modifier: str) -> str:
    """One learner's `<li>` in a group of bilans entreprise: name, status, grid, « Éditer »."""
    nom = escape(ev.nom_apprenant_bilan or ev.titre)
    if ev.statut_bilan == "VALIDE":
        etat = '<span class="badge eval-valide">Validé</span>'
    else:
        etat = '<span class="badge">En cours</span>'
    if ev.verrouillee:
        etat += ' <span class="badge verrou">Verrouillée</span>'
    editer = ""
    if ev.modifiable:
        editer = (
            f'<a href="{url_modifier.format(pk=ev.pk)}">Éditer<span class="visuellement-cache">'
            f" le bilan entreprise de {nom}</span></a>"
        )
    return (
        f'\n              <li id="evaluation-{ev.pk}">\n'
        f'                <span class="eval-groupe-nom">{nom}</span>\n'
        f'                <span class="eval-groupe-etat">{etat}</span>\n'
        f'                <a href="{url_grille.format(pk=ev.pk)}">Grille'
        f'<span class="visuellement-cache"> du bilan entreprise de {nom}</span></a>\n'
        f"                {editer}\n"
        f"              </li>\n              "
    )


def preparer(request, sections) -> None:
    """Sets `html` on every évaluation row of the sections and `html_apprenants` on every
    group of bilans entreprise; the links are reversed once for the whole page."""
    url_grille = gabarit_url(request, "evaluations:grille", ["pk"])
    url_modifier = gabarit_url(request, "evaluations:modifier", ["pk"])
    for section in sections:
        for ligne in section.lignes:
            if ligne.est_groupe:
                ligne.html_apprenants = mark_safe(  # noqa: S308 — escaped in the function
                    "".join(
                        html_bilan_entreprise(ev, url_grille, url_modifier)
                        for ev in ligne.evaluations
                    )
                )
            else:
                ligne.html = html_ligne(ligne, url_grille, url_modifier)
