"""Dokumen Evaluasi Kinerja (periodic and annual) and Penetapan Predikat per unit: rendered in the
task, really signed (validated against the instansi CA), text checked, served 202/409/200, 404 to
everyone who may not see the evaluation, queued by the year-end batch, idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi, KinerjaOrganisasi
from kinerja import signing
from kinerja.models import Dokumen, JenisDokumen
from kinerja.selectors.dokumen import dokumen_by_public_code_dangerously_unscoped
from kinerja.services.dokumen import StatusVerifikasi, dokumen_verify_upload
from kinerja.validators import format_nip
from tests.conftest import Org
from tests.dokumen.conftest import flat, full_plan, pdf_text, read, requires_poppler, screenshot
from tests.evaluasi.conftest import periode
from tests.evaluasi.conftest import run_batch as run_batch  # the fixture

pytestmark = pytest.mark.django_db

Q3 = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
DA, SE = "di_atas_ekspektasi", "sesuai_ekspektasi"


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path: Path) -> None:
    """These tests travel in time: a demo CA made earlier in the run (at the real date) would not be
    valid yet at the travelled signing time, so each test gets its own media (and demo CA)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _rated_quarter(org: Org, api: Any) -> tuple[Evaluasi, dict[str, Any]]:
    """Approved SKPs (through the API), a realisasi with a link as evidence, feedback on a result,
    on a core value and in general, an org predikat for the unit, and the PPK's Q3 rating."""
    from dialog.services.dokumentasi import realisasi_save
    from dialog.services.umpan_balik import umpan_balik_give
    from skp.models import Skp

    plan = full_plan(api, org)
    q3 = periode(org.instansi, 3)
    skp_id = plan["pegawai"]["id"]
    rhk = next(r for r in plan["pegawai"]["rhk"] if r["jenis"] == "utama")
    with scope(instansi=org.instansi.pk):
        skp = Skp.objects.get(pk=skp_id)
        realisasi_save(
            actor=org.pegawai.user,
            skp=skp,
            indikator_id=rhk["indikator"][0]["id"],
            periode_id=q3.pk,
            realisasi="Draf SOP loket selesai 100% dan disahkan",
            tautan="https://arsip.example.go.id/sop-loket",
            judul_bukti="SK pengesahan SOP",
        )
        umpan_balik_give(
            actor=org.atasan.user,
            skp=skp,
            periode_id=q3.pk,
            rhk_id=rhk["id"],
            isi="SOP rapi, lanjutkan sosialisasi.",
        )
        umpan_balik_give(
            actor=org.atasan.user,
            skp=skp,
            periode_id=q3.pk,
            core_value="akuntabel",
            isi="Laporan selalu tepat waktu.",
        )
        umpan_balik_give(actor=org.atasan.user, skp=skp, periode_id=q3.pk, isi="Terima kasih atas kerja tim.")
    with scopes_disabled():
        KinerjaOrganisasi._base_manager.create(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            tahun=2026,
            periode=q3,
            predikat="baik",
            justifikasi="Capaian rencana aksi triwulan III sesuai target.",
            ditetapkan_oleh=org.kepala.user,
        )
    leader = api(org.atasan.user)
    rows = leader.get("/api/v1/evaluasi/", {"periode": q3.pk}).json()["results"]
    ev_id = next(e["id"] for e in rows if e["pegawai"]["id"] == org.pegawai.pk)
    resp = leader.patch(
        f"/api/v1/evaluasi/{ev_id}/",
        {"rating_hasil_kerja": DA, "rating_perilaku_kerja": SE, "justifikasi": "Kontribusi nyata pada SOP."},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    with scope(instansi=org.instansi.pk):
        return Evaluasi.objects.get(pk=ev_id), plan


def _render_evaluasi(org: Org, ev_id: int) -> Dokumen:
    from evaluasi.tasks import evaluasi_dokumen_task

    ids = evaluasi_dokumen_task(org.instansi.pk, [ev_id])
    assert len(ids) == 1
    with scope(instansi=org.instansi.pk):
        return Dokumen.objects.get(pk=ids[0])


def _ca_pem(org: Org) -> str:
    return (Path(signing._demo_dir(org.instansi)) / "ca.pem").read_text()


def _validate(data: bytes, roots_pem: str) -> Any:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    sigs = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(sigs) == 1
    vc = ValidationContext(trust_roots=signing.load_trust_roots(roots_pem), allow_fetching=False)
    return signing.outside_event_loop(validate_pdf_signature, sigs[0], vc)


@requires_poppler
def test_periodic_document_layout_text_and_signature(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    ev, _plan = _rated_quarter(org_a, api)
    dok = _render_evaluasi(org_a, ev.pk)
    data = read(dok)
    screenshot(data, "evaluasi-periodik")
    text = flat(pdf_text(data))
    # title block, period, identity box (PMK6 Anak Lampiran 4)
    for expected in (
        "EVALUASI KINERJA PEGAWAI",
        "PENDEKATAN HASIL KERJA KUANTITATIF",
        "PERIODE: TRIWULAN III",
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        org_a.pegawai.nama,
        format_nip(org_a.pegawai.nip),
        org_a.atasan.nama,
        # organisation performance and the distribution curve
        "CAPAIAN KINERJA ORGANISASI",
        "Capaian rencana aksi triwulan III sesuai target.",
        "POLA DISTRIBUSI",
        "KURVA DISTRIBUSI PREDIKAT KINERJA PEGAWAI DENGAN CAPAIAN KINERJA ORGANISASI BAIK",
        # results with the two evaluation columns, realisasi with its evidence, feedback per result
        "REALISASI BERDASARKAN BUKTI DUKUNG",
        "UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG",
        "Terselesaikannya draf SOP loket pelayanan",
        "Draf SOP loket selesai 100% dan disahkan",
        "SK pengesahan SOP",
        "SOP rapi, lanjutkan sosialisasi.",
        "Belum ada realisasi",  # the other indikator
        # behaviour with per-value feedback
        "PERILAKU KERJA",
        "Akuntabel",
        "Laporan selalu tepat waktu.",
        "Kontribusi nyata pada SOP.",
        "Terima kasih atas kerja tim.",  # general feedback
        "Pejabat Penilai Kinerja",
        dok.kode_tampil,
    ):
        assert expected in text, expected
    lines = flat(pdf_text(data, layout=True))  # label and value cells on one line
    assert "RATING HASIL KERJA DI ATAS EKSPEKTASI" in lines
    assert "RATING PERILAKU KERJA SESUAI EKSPEKTASI" in lines
    assert "PREDIKAT KINERJA PEGAWAI BAIK" in lines
    # the feedback on a core value is in the behaviour table, not under the results
    assert text.index("Laporan selalu tepat waktu.") > text.index("RATING HASIL KERJA")
    # really signed by the instansi CA, the whole file, and stored with its hash
    status = _validate(data, _ca_pem(org_a))
    assert status.intact
    assert status.valid
    assert status.trusted
    assert dok.jenis == JenisDokumen.EVALUASI_KINERJA
    assert dok.pegawai_id == org_a.pegawai.pk
    publik = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert publik is not None
    assert dokumen_verify_upload(dokumen=publik, data=data).status == StatusVerifikasi.ASLI
    tampered = bytearray(data)
    i = data.index(b"/Contents") - 40
    tampered[i] = tampered[i] ^ 0x01
    assert dokumen_verify_upload(dokumen=publik, data=bytes(tampered)).status != StatusVerifikasi.ASLI


def test_api_409_before_rating_202_then_200_and_new_version_on_rerating(
    org_a: Org, api: Any, time_machine: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    time_machine.move_to(Q3)
    ev, _plan = _rated_quarter(org_a, api)
    with scope(instansi=org_a.instansi.pk):
        other_q = Evaluasi.objects.get(pegawai=org_a.pegawai, periode=periode(org_a.instansi, 2))
    c = api(org_a.pegawai.user)
    resp = c.get(f"/api/v1/evaluasi/{other_q.pk}/dokumen/")
    assert resp.status_code == 409
    assert "rating" in resp.json()["detail"]
    # the request never renders
    import kinerja.services.dokumen as svc

    real = svc.html_to_pdf
    monkeypatch.setattr(svc, "html_to_pdf", lambda html: pytest.fail("rendered inside a request"))
    resp = c.get(f"/api/v1/evaluasi/{ev.pk}/dokumen/")  # the rating itself queued the render
    assert resp.status_code == 202
    assert resp["Retry-After"] == "5"
    from django.core.cache import cache

    cache.clear()  # the re-queue interval has passed and the task was lost
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert c.get(f"/api/v1/evaluasi/{ev.pk}/dokumen/").status_code == 202
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert c.get(f"/api/v1/evaluasi/{ev.pk}/dokumen/").status_code == 202
    assert not again  # at most one re-queue per interval
    monkeypatch.setattr(svc, "html_to_pdf", real)
    first = _render_evaluasi(org_a, ev.pk)
    for user in (org_a.pegawai.user, org_a.atasan.user, org_a.hr.user, org_a.admin.user):
        resp = api(user).get(f"/api/v1/evaluasi/{ev.pk}/dokumen/")
        assert resp.status_code == 200, user
        assert resp["Content-Type"] == "application/pdf"
        assert resp["X-Dokumen-Kode"] == first.kode
        assert b"".join(resp.streaming_content) == read(first)
    # the task is idempotent: the same version is not signed twice
    assert _render_evaluasi(org_a, ev.pk).pk == first.pk
    # re-rating changes the content: a new version is queued and signed, the old one stays
    with django_capture_on_commit_callbacks(execute=False) as rerate:
        resp = api(org_a.atasan.user).patch(
            f"/api/v1/evaluasi/{ev.pk}/",
            {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE},
            format="json",
        )
    assert resp.status_code == 200
    assert rerate, "the rating queued the new document version"
    second = _render_evaluasi(org_a, ev.pk)
    assert second.pk != first.pk
    assert api(org_a.pegawai.user).get(f"/api/v1/evaluasi/{ev.pk}/dokumen/")["X-Dokumen-Kode"] == second.kode
    with scope(instansi=org_a.instansi.pk):
        assert Dokumen.objects.filter(sumber_type="evaluasi.evaluasi", sumber_id=ev.pk).count() == 2


def test_document_urls_are_404_for_other_instansi_outsider_and_peers(
    org_a: Org, org_b: Org, outsider: Any, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(Q3)
    ev, _plan = _rated_quarter(org_a, api)
    _render_evaluasi(org_a, ev.pk)
    unit = org_a.pegawai.unit_kerja_id
    q3 = periode(org_a.instansi, 3)
    for user in (org_b.admin.user, org_b.pegawai.user, outsider.user, org_a.rekan.user):
        assert api(user).get(f"/api/v1/evaluasi/{ev.pk}/dokumen/").status_code == 404, user
        web = _login(user)
        assert web.get(f"/evaluasi/{ev.pk}/dokumen/").status_code == 404, user
        assert web.get(f"/evaluasi/unit/{unit}/dokumen/?tahun=2026&periode={q3.pk}").status_code == 404, user
    assert Client().get(f"/api/v1/evaluasi/{ev.pk}/dokumen/").status_code in (401, 403)


def test_web_waiting_page_polls_then_offers_the_download(
    org_a: Org, api: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    time_machine.move_to(Q3)
    ev, _plan = _rated_quarter(org_a, api)
    web = _login(org_a.pegawai.user)
    page = web.get(f"/evaluasi/{ev.pk}/")
    assert b'data-testid="buat-dokumen"' in page.content
    from django.core.cache import cache

    cache.clear()  # as if the task queued by the rating was lost long ago
    with django_capture_on_commit_callbacks(execute=False) as queued:
        resp = web.get(f"/evaluasi/{ev.pk}/dokumen/")
    assert resp.status_code == 202
    assert len(queued) == 1
    assert b'data-testid="dokumen-menunggu"' in resp.content
    assert b"cek=1" in resp.content
    assert b"progress" in resp.content
    poll = web.get(f"/evaluasi/{ev.pk}/dokumen/?cek=1")
    assert poll.status_code == 202
    dok = _render_evaluasi(org_a, ev.pk)
    ready = web.get(f"/evaluasi/{ev.pk}/dokumen/?cek=1")
    assert ready.status_code == 200
    assert b'data-testid="dokumen-siap"' in ready.content
    assert dok.kode_tampil.encode() in ready.content
    pdf = web.get(f"/evaluasi/{ev.pk}/dokumen/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == read(dok)
    # the detail page now links the signed document and its verification code
    assert dok.kode_tampil.encode() in web.get(f"/evaluasi/{ev.pk}/").content
    # an unrated evaluation: a message, no document
    with scope(instansi=org_a.instansi.pk):
        q2 = Evaluasi.objects.get(pegawai=org_a.pegawai, periode=periode(org_a.instansi, 2))
    resp = web.get(f"/evaluasi/{q2.pk}/dokumen/", follow=True)
    assert resp.status_code == 200
    assert b"setelah Pejabat Penilai Kinerja memberi rating" in resp.content


@requires_poppler
def test_penetapan_predikat_per_unit(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    _rated_quarter(org_a, api)
    q3 = periode(org_a.instansi, 3)
    unit = org_a.pegawai.unit_kerja
    web = _login(org_a.admin.user)
    url = f"/evaluasi/unit/{unit.pk}/dokumen/?tahun=2026&periode={q3.pk}"
    assert (
        b'data-testid="penetapan-pdf"'
        in web.get(f"/evaluasi/unit/{unit.pk}/?tahun=2026&periode={q3.pk}").content
    )
    assert web.get(url).status_code == 202
    from evaluasi.tasks import penetapan_dokumen_task

    dok_id = penetapan_dokumen_task(org_a.instansi.pk, unit.pk, 2026, q3.pk)
    assert penetapan_dokumen_task(org_a.instansi.pk, unit.pk, 2026, q3.pk) == dok_id  # idempotent
    resp = web.get(url)
    assert resp.status_code == 200
    data = b"".join(resp.streaming_content)
    screenshot(data, "penetapan-predikat")
    text = flat(pdf_text(data))
    for expected in (
        "PENETAPAN PREDIKAT KINERJA PEGAWAI",
        unit.nama.upper(),
        "PERIODE: TRIWULAN III TAHUN 2026",
        "CAPAIAN KINERJA ORGANISASI",
        "POLA DISTRIBUSI",
        org_a.pegawai.nama,
        format_nip(org_a.pegawai.nip),
        "Baik",
        org_a.kepala.nama,  # the official who set the org predikat signs
    ):
        assert expected in text, expected
    assert _validate(data, _ca_pem(org_a)).trusted
    # a changed rating changes the list: the next request asks for a new version
    with scope(instansi=org_a.instansi.pk):
        ev_q3 = Evaluasi.objects.get(pegawai=org_a.pegawai, periode=q3)
    resp = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev_q3.pk}/",
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Disesuaikan."},
        format="json",
    )
    assert resp.status_code == 200
    assert web.get(url).status_code == 202


def test_year_end_batch_queues_annual_documents_once(
    org_a: Org,
    org_b: Org,
    api: Any,
    time_machine: Any,
    monkeypatch: Any,
    run_batch: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    """The batch's hand-off queues one task per chunk of final annual evaluations without a document
    and one per unit; the chunk task renders them; a second hand-off queues nothing new."""
    from evaluasi import hooks, tasks
    from evaluasi.services_dokumen import dokumen_tahunan_status

    time_machine.move_to(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC))
    plan = full_plan(api, org_a)
    leader = api(org_a.atasan.user)
    rows = leader.get("/api/v1/evaluasi/", {"tahun": 2026, "jenis": "tahunan"}).json()["results"]
    ev_id = next(e["id"] for e in rows if e["pegawai"]["id"] == org_a.pegawai.pk)
    assert (
        leader.patch(
            f"/api/v1/evaluasi/{ev_id}/",
            {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Sesuai target tahunan."},
            format="json",
        ).status_code
        == 200
    )
    assert (
        api(org_a.pegawai.user).get(f"/api/v1/evaluasi/{ev_id}/dokumen/").status_code == 409
    )  # not final yet

    handoff: list[tuple[int, int]] = []
    monkeypatch.setattr(hooks, "on_tahunan_finalised", lambda i, t: handoff.append((i, t)))
    monkeypatch.setattr(tasks.tahunan_batch_task, "delay", lambda *a, **k: None)
    monkeypatch.setattr(tasks.tahunan_batch_task, "apply_async", lambda *a, **k: None)
    job = run_batch(org_a)
    assert handoff == [(org_a.instansi.pk, 2026)]  # the batch hands off once, after its last chunk
    monkeypatch.undo()

    settings.EVALUASI_DOKUMEN_TAHUNAN_OTOMATIS = True
    sent: list[tuple[str, tuple[Any, ...]]] = []
    queues: set[str] = set()

    def recorder(kind: str) -> Any:
        def apply_async(args: tuple[Any, ...], queue: str) -> None:
            sent.append((kind, tuple(args)))
            queues.add(queue)

        return apply_async

    monkeypatch.setattr(tasks.evaluasi_dokumen_task, "apply_async", recorder("evaluasi"))
    monkeypatch.setattr(tasks.penetapan_dokumen_task, "apply_async", recorder("penetapan"))
    monkeypatch.setattr(
        tasks.dokumen_tahunan_task, "apply_async", lambda args, kwargs=None: tasks.dokumen_tahunan_task(*args)
    )
    with django_capture_on_commit_callbacks(execute=True), scope(instansi=org_a.instansi.pk):
        hooks.on_tahunan_finalised(org_a.instansi.pk, 2026)
    evaluasi_chunks = [a for kind, a in sent if kind == "evaluasi"]
    assert evaluasi_chunks, "the hand-off queued the annual documents"
    ids = [i for a in evaluasi_chunks for i in a[1]]
    assert ev_id in ids
    assert all(a[0] == org_a.instansi.pk for a in evaluasi_chunks)
    assert {a[1] for kind, a in sent if kind == "penetapan"} >= {org_a.pegawai.unit_kerja_id}
    assert queues == {settings.KINERJA_QUEUE_MASSAL}  # bulk work never queues in front of a user's PDF
    with scope(instansi=org_a.instansi.pk):
        assert dokumen_tahunan_status(instansi=org_a.instansi, tahun=2026)["dokumen"] == 0
    # the worker renders the chunks: the annual document exists and says TRIWULAN IV-AKHIR
    for a in evaluasi_chunks:
        tasks.evaluasi_dokumen_task(*a)
    with scope(instansi=org_a.instansi.pk):
        st = dokumen_tahunan_status(instansi=org_a.instansi, tahun=2026)
        assert st["dokumen"] == st["final"] >= 1
    # the batch result page shows how many annual documents are signed
    result = _login(org_a.admin.user).get(f"/evaluasi/tahunan/{job.pk}/")
    assert b'data-testid="dokumen-tahunan"' in result.content
    assert f"{st['final']} dari {st['final']} dokumen".encode() in result.content
    with scope(instansi=org_a.instansi.pk):
        dok = Dokumen.objects.get(sumber_type="evaluasi.evaluasi", sumber_id=ev_id)
    text = flat(pdf_text(read(dok), layout=True))
    assert "PERIODE: TRIWULAN IV-AKHIR" in text
    assert "PREDIKAT KINERJA PEGAWAI BAIK" in text
    assert api(org_a.pegawai.user).get(f"/api/v1/evaluasi/{ev_id}/dokumen/").status_code == 200
    # a second hand-off finds nothing missing
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(instansi=org_a.instansi.pk):
        hooks.on_tahunan_finalised(org_a.instansi.pk, 2026)
    assert not [a for kind, a in sent if kind == "evaluasi"]
    # B's documents were never touched
    with scopes_disabled():
        assert not Dokumen._base_manager.filter(instansi=org_b.instansi, jenis="evaluasi_kinerja").exists()
    assert plan


@requires_poppler
def test_leader_kualitatif_layout_has_no_intervened_column(org_a: Org, api: Any, time_machine: Any) -> None:
    """A JPT's document has no "RHK pimpinan yang diintervensi" column; a kualitatif SKP has the
    merged "ukuran keberhasilan" column. Ratings written directly (the rating itself is tested above)."""
    from skp.models import Skp
    from tests.evaluasi.conftest import ensure_all, set_rating

    time_machine.move_to(Q3)
    plan = full_plan(api, org_a)
    with scopes_disabled():
        Skp._base_manager.filter(pk=plan["kepala"]["skp"]["id"]).update(pendekatan="kualitatif")
    ensure_all(org_a.instansi)
    set_rating(org_a.kepala, DA, DA, jenis="periodik", dinilai_at=Q3)
    with scope(instansi=org_a.instansi.pk):
        ev = Evaluasi.objects.get(pegawai=org_a.kepala, periode=periode(org_a.instansi, 3))
    data = read(_render_evaluasi(org_a, ev.pk))
    text = flat(pdf_text(data))
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in text
    assert "UKURAN KEBERHASILAN / INDIKATOR KINERJA INDIVIDU DAN TARGET" in text
    assert "PIMPINAN YANG DIINTERVENSI" not in text
    assert "Meningkatnya kualitas pelayanan publik daerah" in text
    assert "PREDIKAT KINERJA PEGAWAI SANGAT BAIK" in flat(pdf_text(data, layout=True))
