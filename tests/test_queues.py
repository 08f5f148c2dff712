"""Celery routing (kinerja/queues.py): every task lands on the queue of its kind of work.

The routing table is inspected through Celery's own router (what ``apply_async`` uses), and one real
send per routed kind goes to a private queue on the test run's Redis broker (renamed per test through
``settings.KINERJA_QUEUES``, so no worker anywhere consumes it) and is read back from Redis.
"""

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings

from kinerja import queues
from kinerja.celery import app
from tests.conftest import Org, private_celery_queue

ROOT = Path(__file__).resolve().parent.parent


def _route(name: str, **options: Any) -> str:
    return str(app.amqp.router.route(dict(options), name, (), {})["queue"].name)


EXPECTED = {
    "evaluasi.tasks.tahunan_batch_task": "batch",
    "skp.tasks.skp_document_render_task": "documents",
    "skp.tasks.skp_bulk_zip_task": "documents",
    "skp.tasks.skp_rekap_pdf_task": "documents",
    "skp.tasks.skp_matriks_pdf_task": "documents",
    "evaluasi.tasks.evaluasi_dokumen_task": "documents",
    "evaluasi.tasks.penetapan_dokumen_task": "documents",
    "evaluasi.tasks.dokumen_tahunan_task": "documents",
    "dialog.tasks.digest_harian_all_task": "periodic",
    "dialog.tasks.pengingat_periode_all_task": "periodic",
    "dialog.tasks.penugasan_izin_sync_all_task": "periodic",
    "dialog.tasks.digest_harian_task": "periodic",
    "dialog.tasks.pengingat_periode_task": "periodic",
    "kinerja.tasks.delegasi_sync_all_task": "periodic",
    "kinerja.tasks.job_antri_sweep_task": "periodic",
    "kinerja.tasks.job_mati_sweep_task": "periodic",
    "kinerja.tasks.token_purge_expired_task": "periodic",
    "dialog.tasks.log_harian_pengingat_all_task": "periodic",
    "dialog.tasks.log_harian_pengingat_task": "periodic",
    "evaluasi.tasks.siasn_kirim_task": "batch",
    "kinerja.tasks.impor_pegawai_task": "batch",
    "kinerja.tasks.ekspor_tabel_task": "documents",
    "dialog.tasks.notifikasi_email_bulk_task": "bulk_email",
    "dialog.tasks.notifikasi_email_task": "interactive",
    "kinerja.tasks.delegasi_sync_task": "interactive",
    "dialog.tasks.penugasan_izin_sync_task": "interactive",
    "kinerja.tasks.ping": "interactive",
}


def test_every_registered_task_is_routed_to_its_kind_of_work() -> None:
    app.loader.import_default_modules()
    ours = sorted(n for n in app.tasks if not n.startswith("celery."))
    assert set(EXPECTED) <= set(ours), "a task of this table is no longer registered"
    for name in ours:
        assert _route(name) == EXPECTED.get(name, "interactive"), name
    assert app.conf.task_default_queue == "interactive"


def test_every_beat_entry_runs_on_the_periodic_queue() -> None:
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        assert _route(str(entry["task"])) == "periodic", entry["task"]


def test_an_explicit_queue_wins_over_the_route() -> None:
    # the batch's document hand-off (evaluasi/services_dokumen.py) names KINERJA_QUEUE_MASSAL itself
    massal = django_settings.KINERJA_QUEUE_MASSAL
    assert _route("evaluasi.tasks.evaluasi_dokumen_task", queue=massal) == massal


def test_a_redirected_default_queue_takes_every_task_with_it() -> None:
    """Tests move the default queue to a private one (``private_celery_queue``): routed tasks follow."""
    with private_celery_queue("test-queues") as private:
        assert _route("evaluasi.tasks.tahunan_batch_task") == private
        assert _route("skp.tasks.skp_document_render_task") == private
    assert _route("evaluasi.tasks.tahunan_batch_task") == "batch"


def test_bulk_email_task_is_rate_limited() -> None:
    from dialog.tasks import notifikasi_email_bulk_task, notifikasi_email_task

    assert notifikasi_email_bulk_task.rate_limit == django_settings.KINERJA_BULK_EMAIL_RATE
    assert notifikasi_email_task.rate_limit is None  # a single feedback e-mail is never held back


def test_make_run_worker_consumes_every_queue_of_the_settings() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import services
    finally:
        sys.path.pop(0)
    env = {"KINERJA_QUEUE_MASSAL": django_settings.KINERJA_QUEUE_MASSAL}  # test settings rename it
    assert services.celery_queues(env) == queues.all_queues()
    assert {k: services.celery_queue(k, {}) for k in queues.KINDS} == django_settings.KINERJA_QUEUES


@pytest.mark.celery
@pytest.mark.django_db
def test_real_sends_land_on_their_queue_in_the_broker(settings: Any, org_a: Org) -> None:
    """One real message per routed kind, read back from the broker's list of that queue."""
    from dialog.tasks import notifikasi_email_bulk_task, notifikasi_email_task
    from evaluasi.tasks import tahunan_batch_task
    from kinerja.tasks import job_antri_sweep_task
    from skp.tasks import skp_document_render_task

    tag = uuid.uuid4().hex[:10]
    private = {kind: f"test-{kind}-{tag}" for kind in queues.KINDS}
    settings.KINERJA_QUEUES = private
    saved_default = app.conf.task_default_queue
    app.conf.task_default_queue = private["interactive"]
    sent = {
        "batch": tahunan_batch_task,
        "documents": skp_document_render_task,
        "periodic": job_antri_sweep_task,
        "bulk_email": notifikasi_email_bulk_task,
        "interactive": notifikasi_email_task,
    }
    conn = redis.Redis.from_url(str(app.conf.broker_url), socket_timeout=2)
    try:
        for kind, task in sent.items():
            args = () if kind == "periodic" else (org_a.instansi.pk, [999_999])
            if kind == "documents":
                args = (org_a.instansi.pk, 999_999)
            task.apply_async(args=args)
        for kind, task in sent.items():
            raw = conn.lrange(private[kind], 0, -1)
            assert len(raw) == 1, (kind, private[kind])
            message = json.loads(raw[0])
            assert message["headers"]["task"] == task.name
    finally:
        app.conf.task_default_queue = saved_default
        conn.delete(*private.values())
        conn.close()
