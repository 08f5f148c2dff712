"""GET /api/v1/skp/{id}/dokumen/ (api-contract §3): 409 → 202 → 200 signed PDF; never rendered in the request."""

from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope

from kinerja.models import AuditLog, Dokumen
from skp.tasks import skp_document_render_task
from tests.conftest import Org
from tests.dokumen.conftest import full_plan, read
from tests.skp.test_api_skp import add_rhk, create_skp

pytestmark = pytest.mark.django_db


def test_409_before_approval(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Hasil")
    resp = c.get(f"/api/v1/skp/{skp['id']}/dokumen/")
    assert resp.status_code == 409
    assert resp.json()["detail"]


def test_202_while_rendering_then_200_signed_pdf(
    org_a: Org, api: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # given an approved SKP whose render task has not run yet
    with django_capture_on_commit_callbacks(execute=False) as approval_callbacks:
        plan = full_plan(api, org_a)
    assert approval_callbacks  # the approval queued the render task on commit
    skp_id = plan["pegawai"]["id"]
    # the request must never render: make rendering explode if it is attempted here
    import kinerja.services.dokumen as svc

    real = svc.html_to_pdf
    monkeypatch.setattr(svc, "html_to_pdf", lambda html: pytest.fail("rendered inside a request"))
    c = api(org_a.pegawai.user)
    with django_capture_on_commit_callbacks(execute=False) as requeue:
        resp = c.get(f"/api/v1/skp/{skp_id}/dokumen/")
    assert resp.status_code == 202
    assert "disiapkan" in resp.json()["detail"]
    assert len(requeue) == 1  # a lost task is re-queued ...
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert c.get(f"/api/v1/skp/{skp_id}/dokumen/").status_code == 202
    assert not again  # ... but at most once per interval
    # when the worker runs the task
    monkeypatch.setattr(svc, "html_to_pdf", real)
    dok_id = skp_document_render_task(org_a.instansi.pk, skp_id)
    # then the endpoint answers with the stored signed file as an attachment
    for user in (org_a.pegawai.user, org_a.atasan.user, org_a.hr.user):
        resp = api(user).get(f"/api/v1/skp/{skp_id}/dokumen/")
        assert resp.status_code == 200
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("attachment;")
        assert f"SKP-2026-{org_a.pegawai.nip}" in resp["Content-Disposition"]
        body = b"".join(resp.streaming_content)
        with scope(instansi=org_a.instansi.pk):
            dok = Dokumen.objects.get(pk=dok_id)
        assert body == read(dok)
        assert body.startswith(b"%PDF")
        assert b"/ETSI.CAdES.detached" in body
        assert resp["X-Dokumen-SHA256"] == dok.sha256


def test_other_instansi_and_strangers_get_404(org_a: Org, org_b: Org, outsider: Any, api: Any) -> None:
    plan = full_plan(api, org_a)
    skp_id = plan["pegawai"]["id"]
    skp_document_render_task(org_a.instansi.pk, skp_id)
    assert api(outsider.user).get(f"/api/v1/skp/{skp_id}/dokumen/").status_code == 404
    assert api(org_a.rekan.user).get(f"/api/v1/skp/{skp_id}/dokumen/").status_code == 404  # a peer
    assert api(None).get(f"/api/v1/skp/{skp_id}/dokumen/").status_code in (401, 403)


def test_corrupted_stored_file_is_refused(org_a: Org, api: Any) -> None:
    plan = full_plan(api, org_a)
    skp_id = plan["pegawai"]["id"]
    dok_id = skp_document_render_task(org_a.instansi.pk, skp_id)
    with scope(instansi=org_a.instansi.pk):
        path = Path(Dokumen.objects.get(pk=dok_id).berkas.path)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    resp = api(org_a.pegawai.user).get(f"/api/v1/skp/{skp_id}/dokumen/")
    assert resp.status_code == 503


def test_task_is_idempotent_and_audited_once(org_a: Org, api: Any) -> None:
    plan = full_plan(api, org_a)
    skp_id = plan["pegawai"]["id"]
    first = skp_document_render_task(org_a.instansi.pk, skp_id)
    second = skp_document_render_task(org_a.instansi.pk, skp_id)
    assert first == second
    with scope(instansi=org_a.instansi.pk):
        assert Dokumen.objects.filter(sumber_id=skp_id).count() == 1
        assert AuditLog.objects.filter(action="dokumen.ditandatangani").count() == 1


def test_task_ignores_unapproved_and_missing(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    assert skp_document_render_task(org_a.instansi.pk, skp["id"]) is None
    assert skp_document_render_task(org_a.instansi.pk, 999_999) is None
    with scope(instansi=org_a.instansi.pk):
        assert not Dokumen.objects.exists()


def test_task_of_another_instansi_cannot_reach_the_skp(org_a: Org, org_b: Org, api: Any) -> None:
    """The task runs in the scope of its tenant_id: a foreign SKP id is simply not found."""
    plan = full_plan(api, org_a)
    assert skp_document_render_task(org_b.instansi.pk, plan["pegawai"]["id"]) is None
    with scope(instansi=org_a.instansi.pk):
        assert not Dokumen.objects.exists()


def test_broker_outage_does_not_break_approval(
    org_a: Org, api: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The approval commits even if queuing the render fails; the GET keeps answering 202."""
    from kombu.exceptions import OperationalError

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("broker down")

    monkeypatch.setattr(skp_document_render_task, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        plan = full_plan(api, org_a)
    assert plan["pegawai"]["status"] == "disetujui"
    with django_capture_on_commit_callbacks(execute=True):
        assert api(org_a.pegawai.user).get(f"/api/v1/skp/{plan['pegawai']['id']}/dokumen/").status_code == 202
