"""Dialog Celery tasks: thin, take (tenant_id, ids), activate the scope via ``TenantTask``, call one service,
safe to run twice. Coordinators (no tenant) fan out one task per active instansi; beat runs them."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from kinerja.models import Instansi
from kinerja.tenancy import TenantTask


@shared_task(
    base=TenantTask, name="dialog.tasks.notifikasi_email_task", max_retries=5, default_retry_delay=60
)
def notifikasi_email_task(tenant_id: int, notifikasi_ids: list[int]) -> int:
    """Immediate emails of these notifications (queued after the commit that created them)."""
    from dialog.services.notifikasi import notifikasi_email_send

    return notifikasi_email_send(instansi=Instansi.objects.get(pk=tenant_id), notifikasi_ids=notifikasi_ids)


@shared_task(
    base=TenantTask,
    name="dialog.tasks.notifikasi_email_bulk_task",
    max_retries=5,
    default_retry_delay=60,
    rate_limit=settings.KINERJA_BULK_EMAIL_RATE,
)
def notifikasi_email_bulk_task(tenant_id: int, notifikasi_ids: list[int]) -> int:
    """The same as ``notifikasi_email_task`` for the year-end batch's notifications (up to 500 per task),
    on its own rate-limited queue (kinerja/queues.py) so a single feedback e-mail never waits behind it."""
    from dialog.services import notifikasi_email_send

    return notifikasi_email_send(instansi=Instansi.objects.get(pk=tenant_id), notifikasi_ids=notifikasi_ids)


@shared_task(base=TenantTask, name="dialog.tasks.digest_harian_task")
def digest_harian_task(tenant_id: int, tanggal: str | None = None) -> int:
    """One digest email per user per day (unique row per user and date)."""
    from dialog.services.notifikasi import digest_harian_send

    day = dt.date.fromisoformat(tanggal) if tanggal else None
    return digest_harian_send(instansi=Instansi.objects.get(pk=tenant_id), tanggal=day)


@shared_task(base=TenantTask, name="dialog.tasks.pengingat_periode_task")
def pengingat_periode_task(tenant_id: int) -> int:
    """Reminders before a period ends: missing realisasi, missing leader feedback (one per person per period)."""
    from dialog.services.notifikasi import pengingat_periode

    return pengingat_periode(instansi=Instansi.objects.get(pk=tenant_id))


@shared_task(base=TenantTask, name="dialog.tasks.penugasan_izin_sync_task")
def penugasan_izin_sync_task(tenant_id: int) -> dict[str, int]:
    """Grant/revoke the assigning officials' feedback permission as assignments start and end."""
    from dialog.services.penugasan import penugasan_izin_sync

    granted, revoked = penugasan_izin_sync(instansi=Instansi.objects.get(pk=tenant_id))
    return {"granted": granted, "revoked": revoked}


def _fan_out(task: object) -> int:
    ids = list(Instansi.objects.filter(aktif=True).values_list("pk", flat=True))
    for pk in ids:
        task.delay(pk)  # type: ignore[attr-defined]
    return len(ids)


@shared_task(name="dialog.tasks.digest_harian_all_task")
def digest_harian_all_task() -> int:
    return _fan_out(digest_harian_task)


@shared_task(name="dialog.tasks.pengingat_periode_all_task")
def pengingat_periode_all_task() -> int:
    return _fan_out(pengingat_periode_task)


@shared_task(name="dialog.tasks.penugasan_izin_sync_all_task")
def penugasan_izin_sync_all_task() -> int:
    return _fan_out(penugasan_izin_sync_task)


@shared_task(base=TenantTask, name="dialog.tasks.log_harian_pengingat_task")
def log_harian_pengingat_task(tenant_id: int, tanggal: str | None = None) -> int:
    """Reminders for pegawai with no daily log for N working days (per-instansi setting; idempotent)."""
    from dialog.services.log_harian import log_harian_pengingat

    day = dt.date.fromisoformat(tanggal) if tanggal else None
    return log_harian_pengingat(instansi=Instansi.objects.get(pk=tenant_id), today=day)


@shared_task(name="dialog.tasks.log_harian_pengingat_all_task")
def log_harian_pengingat_all_task() -> int:
    return _fan_out(log_harian_pengingat_task)
