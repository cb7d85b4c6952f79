from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from certification import services
from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
from certification.queries import criteres_de_grille, session_par_defaut
from cpro.models import AuditLog
from tests.certification.grilles_factories import (
    candidat,
    completer,
    grille_candidat,
    grille_ccf,
    grille_verrouillee,
)


@pytest.fixture
def side(personas):
    return personas.a


@pytest.fixture
def prof(side):
    return side.enseignant.user


@pytest.fixture
def gc(side):
    return grille_candidat(side)


def _niveaux(gc, n=3):
    return {c.pk: n for c in criteres_de_grille(gc.grille)}


def _enregistrer(gc, par, **kw):
    valeurs = {
        "dates_situations": "12/03/2026",
        "note_proposee": "14,5",
        "commentaire": "Bien.",
        "niveaux": _niveaux(gc),
    }
    valeurs.update(kw)
    return services.enregistrer_grille(gc, par=par, **valeurs)


# --- grille_pour -----------------------------------------------------------------------------


def test_grille_pour_creates_once(side, prof):
    apprenant = candidat(side)
    grille = grille_ccf(side.diplome)
    gc = services.grille_pour(apprenant, grille, session_par_defaut(), par=prof)
    again = services.grille_pour(apprenant, grille, session_par_defaut(), par=prof)
    assert gc.pk == again.pk
    assert gc.etablissement_id == side.etablissement.pk
    assert GrilleCandidat.objects.count() == 1


def test_grille_pour_refuses_chef_and_other_etab(personas):
    apprenant = candidat(personas.a)
    grille = grille_ccf(personas.a.diplome)
    for m in (personas.a.chef, personas.b.enseignant, personas.a.tuteur):
        with pytest.raises(PermissionDenied):
            services.grille_pour(apprenant, grille, session_par_defaut(), par=m.user)


def test_grille_pour_refuses_epreuve_of_another_diplome(side, prof):
    grille = grille_ccf(side.diplome2)
    with pytest.raises(ValidationError, match="n'appartient pas au diplôme"):
        services.grille_pour(candidat(side), grille, session_par_defaut(), par=prof)


# --- numéro de candidat ----------------------------------------------------------------------


def test_candidate_number_is_propagated_to_every_grid_and_audited(side, prof):
    e31 = grille_candidat(side, "E31")
    e32 = grille_candidat(side, "E32")
    _enregistrer(e31, prof, numero_candidat=" 02123456789 ")
    e32 = GrilleCandidat.objects.select_related("apprenant").get(pk=e32.pk)
    assert e32.apprenant.numero_candidat == "02123456789"
    log = AuditLog.objects.get(action="certification.numero_candidat")
    assert log.avant == {"numero_candidat": ""}
    assert log.apres == {"numero_candidat": "02123456789"}
    # Unchanged: no new audit entry.
    _enregistrer(e32, prof, numero_candidat="02123456789")
    assert AuditLog.objects.filter(action="certification.numero_candidat").count() == 1


def test_candidate_number_is_validated(side, prof):
    with pytest.raises(ValidationError, match="chiffres, des lettres"):
        services.definir_numero_candidat(candidat(side), "12 34;", par=prof)
    with pytest.raises(ValidationError, match="au plus 20"):
        services.definir_numero_candidat(candidat(side), "1" * 21, par=prof)


def test_candidate_number_frozen_while_a_grid_is_locked(side, prof):
    grille_verrouillee(side, "E31")
    with pytest.raises(ValidationError, match="grille verrouillée"):
        services.definir_numero_candidat(candidat(side), "999", par=prof)


# --- enregistrer -----------------------------------------------------------------------------


def test_save_writes_levels_note_comment(gc, prof):
    _enregistrer(gc, prof, note_proposee="12,25", commentaire="  Très bien.\r\nÀ suivre.  ")
    gc.refresh_from_db()
    assert gc.note_proposee == Decimal("12.25")
    assert gc.commentaire == "Très bien.\nÀ suivre."
    assert gc.dates_situations == "12/03/2026"
    assert set(gc.niveaux.values_list("niveau", flat=True)) == {3}
    # Change one level, clear another.
    c1, c2, *_ = criteres_de_grille(gc.grille)
    _enregistrer(gc, prof, niveaux={c1.pk: "4", c2.pk: ""})
    assert dict(gc.niveaux.values_list("critere_id", "niveau"))[c1.pk] == 4
    assert not gc.niveaux.filter(critere=c2).exists()


def test_comment_over_300_characters_is_refused(gc, prof):
    _enregistrer(gc, prof, commentaire="x" * 300)
    with pytest.raises(ValidationError) as exc:
        _enregistrer(gc, prof, commentaire="x" * 301)
    assert exc.value.message_dict["commentaire"] == [
        "Les commentaires de la commission ne peuvent pas dépasser 300 caractères (301 saisis)."
    ]
    gc.refresh_from_db()
    assert len(gc.commentaire) == 300


def test_line_breaks_count_as_one_character(gc, prof):
    texte = ("a" * 99 + "\r\n") * 3  # 300 characters as the browser counts them
    _enregistrer(gc, prof, commentaire=texte)
    gc.refresh_from_db()
    assert len(gc.commentaire) == 299  # the last line break is stripped


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("abc", "doit être un nombre"),
        ("20,5", "entre 0 et 20"),
        ("-1", "entre 0 et 20"),
        ("12,345", "deux décimales"),
    ],
)
def test_note_is_validated(gc, prof, note, message):
    with pytest.raises(ValidationError, match=message):
        _enregistrer(gc, prof, note_proposee=note)


def test_levels_are_validated(side, gc, prof):
    c = criteres_de_grille(gc.grille)[0]
    with pytest.raises(ValidationError, match="entre 1 et 4"):
        _enregistrer(gc, prof, niveaux={c.pk: 5})
    autre = criteres_de_grille(grille_ccf(side.diplome, "E32"))[0]
    with pytest.raises(ValidationError, match="Critère inconnu"):
        _enregistrer(gc, prof, niveaux={autre.pk: 2})
    assert not NiveauCritere.objects.exists()


def test_nothing_written_when_invalid(gc, prof):
    with pytest.raises(ValidationError):
        _enregistrer(gc, prof, dates_situations="01/01/2026", note_proposee="99")
    gc.refresh_from_db()
    assert gc.dates_situations == ""
    assert not gc.niveaux.exists()


def test_chef_cannot_write(side, gc):
    with pytest.raises(PermissionDenied):
        _enregistrer(gc, side.chef.user)


# --- membres ---------------------------------------------------------------------------------


def test_members_teacher_and_typed(side, gc, prof):
    m1 = services.ajouter_membre(gc, par=prof, membre=side.enseignant2)
    assert m1.user == side.enseignant2.user
    assert m1.nom == side.enseignant2.user.last_name
    assert m1.qualite == "Professeur"
    m2 = services.ajouter_membre(gc, par=prof, nom="Dumas", prenom="Claire", qualite="Tutrice")
    assert m2.user is None and m2.ordre > m1.ordre
    with pytest.raises(ValidationError, match="déjà partie"):
        services.ajouter_membre(gc, par=prof, membre=side.enseignant2)
    services.retirer_membre(m2, par=prof)
    assert list(gc.membres.all()) == [m1]


def test_member_must_be_an_active_teacher_of_the_etab(personas, gc):
    prof = personas.a.enseignant.user
    for m in (personas.b.enseignant, personas.a.apprenant, personas.a.tuteur):
        with pytest.raises(ValidationError, match="pas un enseignant actif"):
            services.ajouter_membre(gc, par=prof, membre=m)


def test_typed_member_needs_name_and_first_name(gc, prof):
    with pytest.raises(ValidationError) as exc:
        services.ajouter_membre(gc, par=prof, nom="", prenom="")
    assert set(exc.value.message_dict) == {"nom", "prenom"}


# --- verrouillage ----------------------------------------------------------------------------


def test_lock_complete_grid_is_audited(side, gc, prof):
    completer(gc, side)
    services.verrouiller_grille(gc, par=prof)
    gc.refresh_from_db()
    assert gc.est_verrouillee
    assert gc.verrouillee_par == prof and gc.verrouillee_le is not None
    log = AuditLog.objects.get(action="certification.verrouillage")
    assert log.avant["statut"] == "EN_COURS" and log.apres["statut"] == "VERROUILLEE"
    assert log.acteur == prof and log.objet_id == str(gc.pk)


def _refus(gc, prof) -> str:
    with pytest.raises(ValidationError) as exc:
        services.verrouiller_grille(gc, par=prof)
    gc.refresh_from_db()
    assert not gc.est_verrouillee
    (message,) = exc.value.messages
    assert message.startswith("La grille ne peut pas être verrouillée : il manque ")
    return message


def test_lock_refused_on_empty_grid_lists_everything(gc, prof):
    message = _refus(gc, prof)
    for attendu in (
        "le numéro de candidat",
        "la ou les dates des situations d'évaluation",
        "un niveau pour 3 critère(s)",
        "la note proposée au jury",
        "au moins 2 membres de la commission (0 indiqué(s))",
    ):
        assert attendu in message


@pytest.mark.parametrize(
    ("defaire", "attendu"),
    [
        (
            "academie",
            "l'académie de l'établissement (à renseigner par le DDFPT dans l'administration)",
        ),
        ("numero", "le numéro de candidat"),
        ("dates", "la ou les dates des situations d'évaluation"),
        ("niveau", "un niveau pour 1 critère(s)"),
        ("note", "la note proposée au jury"),
        ("membre", "au moins 2 membres de la commission (1 indiqué(s))"),
        ("commentaire", "des commentaires d'au plus 300 caractères"),
    ],
)
def test_lock_preconditions_each_with_its_message(side, gc, prof, defaire, attendu):
    completer(gc, side)
    if defaire == "academie":
        side.etablissement.academie = ""
        side.etablissement.save()
        gc.etablissement.academie = ""
    elif defaire == "numero":
        gc.apprenant.numero_candidat = ""
        gc.apprenant.save()
    elif defaire == "dates":
        gc.dates_situations = " "
        gc.save()
    elif defaire == "niveau":
        gc.niveaux.first().delete()
    elif defaire == "note":
        gc.note_proposee = None
        gc.save()
    elif defaire == "membre":
        gc.membres.first().delete()
    elif defaire == "commentaire":
        gc.commentaire = "x" * 301  # written around the service
        gc.save()
    message = _refus(gc, prof)
    assert message.startswith(f"La grille ne peut pas être verrouillée : il manque {attendu}")
    assert " ; " not in message  # only what was undone is listed


def test_locked_grid_is_immutable(side, prof):
    gc = grille_verrouillee(side)
    membre = gc.membres.first()
    attendu = "Grille verrouillée : seul le DDFPT peut la déverrouiller."
    for action in (
        lambda: _enregistrer(gc, prof, note_proposee="3"),
        lambda: services.ajouter_membre(gc, par=prof, nom="X", prenom="Y"),
        lambda: services.retirer_membre(membre, par=prof),
        lambda: services.verrouiller_grille(gc, par=prof),
        lambda: services.enregistrer_grille(
            gc,
            par=side.ddfpt.user,
            dates_situations="",
            note_proposee="",
            commentaire="",
            niveaux={},
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            action()
        assert exc.value.messages == [attendu]
    gc.refresh_from_db()
    assert gc.note_proposee == Decimal("14.5")
    assert gc.membres.count() == 2


def test_stale_object_cannot_write_a_grid_locked_meanwhile(side, prof):
    gc = completer(grille_candidat(side), side)
    stale = GrilleCandidat.objects.get(pk=gc.pk)
    services.verrouiller_grille(gc, par=prof)
    with pytest.raises(ValidationError, match="Grille verrouillée"):
        _enregistrer(stale, prof)


def test_ddfpt_unlocks_with_audit(side):
    gc = grille_verrouillee(side)
    ddfpt = side.ddfpt.user
    services.deverrouiller_grille(gc, par=ddfpt)
    gc.refresh_from_db()
    assert gc.statut == GrilleCandidat.Statut.EN_COURS
    assert gc.verrouillee_le is None and gc.verrouillee_par is None
    log = AuditLog.objects.get(action="certification.deverrouillage")
    assert log.acteur == ddfpt
    assert log.avant["statut"] == "VERROUILLEE" and log.avant["verrouillee_par"] is not None
    assert log.apres == {
        "statut": "EN_COURS",
        "note_proposee": "14.50",
        "verrouillee_le": None,
        "verrouillee_par": None,
    }
    # Editable again.
    _enregistrer(gc, side.enseignant.user, note_proposee="15")


def test_teacher_and_chef_cannot_unlock(personas):
    gc = grille_verrouillee(personas.a)
    for m in (personas.a.enseignant, personas.a.chef, personas.b.ddfpt):
        with pytest.raises(PermissionDenied):
            services.deverrouiller_grille(gc, par=m.user)
    gc.refresh_from_db()
    assert gc.est_verrouillee
    assert not AuditLog.objects.filter(action="certification.deverrouillage").exists()


def test_unlock_refused_when_not_locked(side, gc):
    with pytest.raises(ValidationError, match="n'est pas verrouillée"):
        services.deverrouiller_grille(gc, par=side.ddfpt.user)


# --- suggestion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("niveaux", "attendu"),
    [
        ([], None),
        ([4, 4], Decimal(20)),
        ([1, 2, 3, 4], Decimal("12.5")),
        ([2, 3, 3], Decimal("13.5")),
    ],
)
def test_note_suggestion(niveaux, attendu):
    assert services.suggestion_note(niveaux) == attendu


def test_member_removed_from_grid_not_other(side, prof):
    gc = grille_verrouillee(side)
    autre = grille_candidat(side, "E32")
    m = services.ajouter_membre(autre, par=prof, nom="A", prenom="B")
    assert MembreCommission.objects.filter(grille_candidat=gc).count() == 2
    services.retirer_membre(m, par=prof)
    assert not autre.membres.exists()
