"""Audit log writer. Call it inside the service's transaction so the log and the change commit together."""

from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from kinerja.models import AuditLog, Instansi, User


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model's concrete fields (FKs as ids) for before/after."""
    data = model_to_dict(obj, fields=fields)
    return {
        k: (v if isinstance(v, str | int | float | bool | type(None)) else str(v)) for k, v in data.items()
    }


def audit_log(
    *,
    actor: User | None,
    instansi: Instansi | int | None,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """Append one audit row. Uses the unscoped base manager: writing is allowed from any scope."""
    instansi_id = instansi.pk if isinstance(instansi, Instansi) else instansi
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return AuditLog._base_manager.create(
        instansi_id=instansi_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=before,
        after=after,
    )


def audit_log_bulk(rows: list[AuditLog]) -> None:
    """Insert many prepared audit rows in one statement (imports, batches)."""
    AuditLog._base_manager.bulk_create(rows, batch_size=2000)


def audit_platform_access(*, actor: User, instansi: Instansi, path: str, method: str) -> None:
    """Every use of platform_admin powers inside an instansi is audited."""
    audit_log(
        actor=actor,
        instansi=instansi,
        action="platform_admin.akses",
        object_type="url",
        object_id=method[:16],
        object_repr=path[:255],
    )
