"""Celery tasks of the core app: thin, take ids, idempotent."""

from celery import shared_task

from kinerja.models import Instansi
from kinerja.tenancy import TenantTask


@shared_task(base=TenantTask, name="kinerja.tasks.delegasi_sync_task")
def delegasi_sync_task(tenant_id: int) -> dict[str, int]:
    from kinerja.services.delegasi import delegasi_sync

    granted, revoked = delegasi_sync(instansi=Instansi.objects.get(pk=tenant_id))
    return {"granted": granted, "revoked": revoked}


@shared_task(name="kinerja.tasks.delegasi_sync_all_task")
def delegasi_sync_all_task() -> int:
    """Coordinator: one tenant task per active instansi."""
    ids = list(Instansi.objects.filter(aktif=True).values_list("pk", flat=True))
    for pk in ids:
        delegasi_sync_task.delay(pk)
    return len(ids)


@shared_task(name="kinerja.tasks.ping")
def ping(value: int) -> int:
    """Health probe used by the worker test and the ops drill."""
    return value + 1
