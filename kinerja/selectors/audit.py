"""Audit log reads for admins and inspectors."""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from kinerja.models import AuditLog, Instansi, User
from kinerja.rls import rls_unrestricted


def audit_list(
    *, instansi: Instansi, dari: dt.date | None = None, sampai: dt.date | None = None, action: str = ""
) -> QuerySet[AuditLog]:
    """The instansi's audit rows, newest first, with the actor joined (one query per page)."""
    qs = AuditLog.objects.filter(instansi=instansi).select_related("actor")
    if dari:
        qs = qs.filter(created_at__date__gte=dari)
    if sampai:
        qs = qs.filter(created_at__date__lte=sampai)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs.order_by("-created_at", "-id")


def _actor_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    """NIP and name of accounts the tenant cannot see (platform admins who acted in the instansi:
    row-level security keeps their accounts outside every tenant, docs/security.md). One narrow
    cross-tenant read of two columns, values only."""
    if not ids:
        return {}
    with rls_unrestricted():
        rows = User._base_manager.filter(pk__in=ids).values_list("id", "nip", "nama")
        return {uid: (nip, nama) for uid, nip, nama in rows}


def _masked_actor(row: AuditLog, names: dict[int, tuple[str, str]]) -> None:
    if row.actor_id in names:
        nip, nama = names[row.actor_id]
        # an unsaved stand-in with the two columns the page and the CSV show (never saved)
        AuditLog.actor.field.set_cached_value(row, User(id=row.actor_id, nip=nip, nama=nama))


def audit_actor_fill(rows: Iterable[AuditLog]) -> list[AuditLog]:
    """The page's rows with the actors the join could not see filled in (no query when there are none)."""
    rows = list(rows)
    names = _actor_names({r.actor_id for r in rows if r.actor_id is not None and r.actor is None})
    for row in rows:
        if row.actor is None:
            _masked_actor(row, names)
    return rows


AUDIT_CSV_HEADER = [
    "waktu",
    "aktor_nip",
    "aktor_nama",
    "aksi",
    "objek_jenis",
    "objek_id",
    "objek",
    "sebelum",
    "sesudah",
]


def audit_csv_rows(qs: QuerySet[AuditLog]) -> Iterator[list[str]]:
    """Rows for the inspector's CSV export, streamed with ``iterator`` (constant memory)."""
    import json

    yield AUDIT_CSV_HEADER
    names: dict[int, tuple[str, str]] = {}
    for row in qs.iterator(chunk_size=2000):
        if row.actor_id is not None and row.actor is None:
            if row.actor_id not in names:
                names.update(_actor_names({row.actor_id}) or {row.actor_id: ("", "")})
            _masked_actor(row, names)
        yield [
            row.created_at.isoformat(),
            row.actor.nip if row.actor else "",
            row.actor.nama if row.actor else "",
            row.action,
            row.object_type,
            row.object_id,
            row.object_repr,
            json.dumps(row.before, ensure_ascii=False) if row.before is not None else "",
            json.dumps(row.after, ensure_ascii=False) if row.after is not None else "",
        ]
