"""The audit log: services call `journaliser` for every change that matters."""

from cpro.models import AuditLog


def journaliser(
    action: str,
    *,
    par,
    etablissement=None,
    objet=None,
    avant: dict | None = None,
    apres: dict | None = None,
) -> AuditLog:
    """Record who did `action` on `objet`, with the state before and after (JSON-able dicts)."""
    return AuditLog.objects.create(
        etablissement=etablissement,
        acteur=par if getattr(par, "pk", None) else None,
        action=action,
        objet_type=objet._meta.label if objet is not None else "",
        objet_id=str(objet.pk) if objet is not None else "",
        objet_repr=str(objet)[:255] if objet is not None else "",
        avant=avant or {},
        apres=apres or {},
    )
