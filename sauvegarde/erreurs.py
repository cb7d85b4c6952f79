"""Typed errors of backup and restore: commands and the beat task branch on the type."""


class SauvegardeErreur(Exception):
    """Base class: the message is French and meant for the operator."""


class ArchiveInvalide(SauvegardeErreur):
    """Truncated, altered, hostile or foreign archive: refused before anything is written."""


class CibleNonVide(SauvegardeErreur):
    """The target database or media root already holds data."""


class OperationImpossible(SauvegardeErreur):
    """The environment does not allow the operation (missing tool, unsupported engine…)."""
