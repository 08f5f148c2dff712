"""In Chromium: a pegawai asks for the signed Dokumen Evaluasi Kinerja of a rated quarter, waits on
the progress page while the worker signs it, then downloads the PDF (desktop and phone)."""

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from kinerja.models import Dokumen
from tests.conftest import Org
from tests.dokumen.conftest import read
from tests.dokumen.test_browser_dokumen import _timeouts, private_queue, shot  # noqa: F401 - fixtures
from tests.dokumen.test_evaluasi_dokumen import _rated_quarter
from tests.evaluasi.test_browser_evaluasi import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("private_queue")
def test_pegawai_gets_the_signed_evaluation_document(
    org_a: Org, api: Any, live_server: Any, page: Page
) -> None:
    ev, _plan = _rated_quarter(org_a, api)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    login(page, live_server.url, org_a.pegawai.nip)
    page.goto(f"{live_server.url}/evaluasi/{ev.pk}/")
    expect(page.get_by_test_id("dokumen-evaluasi")).to_be_visible()
    page.get_by_test_id("buat-dokumen").click()
    # no worker consumes the private queue: the page waits, with a moving bar, and keeps polling
    expect(page.get_by_test_id("dokumen-menunggu")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    shot(page, "evaluasi-dokumen-menunggu-ponsel")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # the worker signs it (the task's own code, in-process)
    from evaluasi.tasks import evaluasi_dokumen_task

    [dok_id] = evaluasi_dokumen_task(org_a.instansi.pk, [ev.pk])
    with scope(instansi=org_a.instansi.pk):
        dok = Dokumen.objects.get(pk=dok_id)
    expect(page.get_by_test_id("dokumen-siap")).to_contain_text(dok.kode_tampil)
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh PDF bertanda tangan").click()
    download = info.value
    assert download.suggested_filename.startswith("Evaluasi-2026-periode3-")
    assert download.path().read_bytes() == read(dok)
    # back on the evaluation page the document and its verification code are listed
    page.goto(f"{live_server.url}/evaluasi/{ev.pk}/")
    expect(page.get_by_test_id("dokumen-evaluasi")).to_contain_text(dok.kode_tampil)
