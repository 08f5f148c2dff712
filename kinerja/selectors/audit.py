"""Audit log reads for admins and inspectors."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from kinerja.models import AuditLog, Instansi


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
    for row in qs.iterator(chunk_size=2000):
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
