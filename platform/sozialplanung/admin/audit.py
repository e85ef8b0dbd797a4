"""Writing audit entries; called by services inside their transaction (flush only)."""
from ..extensions import db
from .models import AuditLog


def record_audit(actor, action, target=None, summary="", ip_address=""):
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary,
        ip_address=ip_address or "",
    )
    db.session.add(entry)
    db.session.flush()
    return entry
