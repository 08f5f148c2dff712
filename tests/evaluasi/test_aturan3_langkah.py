"""Issue #17 (R3): after the 6-month improvement window, the chain uji kompetensi → pindah/turun jabatan →
penempatan sementara (≤ 1 year) → diberhentikan dengan hormat as recorded steps (domain.md §8.2 row 2;
Product decisions "Sanksi end state"), recorded by an admin on the evaluation page; never automatic."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope, scopes_disabled

from evaluasi import scoring
from evaluasi.batch import tindak_lanjut_hitung_ulang
from evaluasi.models import Evaluasi, LangkahTindakLanjut, TindakLanjut
from kinerja.models import AuditLog
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, set_rating

DB = "di_bawah_ekspektasi"
AKHIR = dt.date(2027, 6, 30)  # window of a batch finalised on 30 December 2026


# ---------------------------------------------------------------------------------- the rule, case by case


def _err(
    jenis: str, tanggal: dt.date, *, terakhir: tuple[str, dt.date] | None = None, sampai: Any = None
) -> Any:
    return scoring.langkah_errors(
        akhir_perbaikan=AKHIR, terakhir=terakhir, jenis=jenis, tanggal=tanggal, sampai=sampai
    )


def test_domain_s8_2_first_step_is_uji_kompetensi_after_the_window() -> None:
    """§8.2: "6 months to improve → if no improvement: uji kompetensi kembali"."""
    assert _err("uji_kompetensi", dt.date(2027, 7, 1)) == {}
    assert "tanggal" in _err("uji_kompetensi", AKHIR)  # not before the window has ended
    assert "jenis" in _err("pindah_jabatan", dt.date(2027, 7, 1))
    assert "jenis" in _err("diberhentikan_dengan_hormat", dt.date(2027, 7, 1))


@pytest.mark.parametrize("jenis", ["pindah_jabatan", "turun_jabatan"])
def test_domain_s8_2_then_moved_or_lower_jabatan(jenis: str) -> None:
    """§8.2: "→ moved to another jabatan matching competence, or placed in a lower jabatan"."""
    prev = ("uji_kompetensi", dt.date(2027, 7, 5))
    assert _err(jenis, dt.date(2027, 8, 1), terakhir=prev) == {}
    assert "tanggal" in _err(jenis, dt.date(2027, 7, 4), terakhir=prev)  # not before the previous step
    # the chain ends there
    assert "jenis" in _err(
        "diberhentikan_dengan_hormat", dt.date(2027, 9, 1), terakhir=(jenis, dt.date(2027, 8, 1))
    )


def test_domain_s8_2_temporary_placement_at_most_one_year() -> None:
    """§8.2: "if none available, temporary placement ≤ 1 year"."""
    prev = ("uji_kompetensi", dt.date(2027, 7, 5))
    mulai = dt.date(2027, 8, 1)
    assert _err("penempatan_sementara", mulai, terakhir=prev, sampai=dt.date(2028, 8, 1)) == {}
    assert "sampai" in _err("penempatan_sementara", mulai, terakhir=prev, sampai=dt.date(2028, 8, 2))
    assert "sampai" in _err("penempatan_sementara", mulai, terakhir=prev)  # the end date is required
    assert "sampai" in _err("penempatan_sementara", mulai, terakhir=prev, sampai=mulai)
    assert "sampai" in _err("uji_kompetensi", dt.date(2027, 7, 5), sampai=dt.date(2027, 8, 1))  # only there


def test_domain_s8_2_sanksi_end_state_diberhentikan_dengan_hormat_after_temporary_placement() -> None:
    """§8.2 "→ if still none, diberhentikan dengan hormat" (Product decisions: dengan hormat, not tidak hormat)."""
    prev = ("penempatan_sementara", dt.date(2027, 8, 1))
    assert _err("diberhentikan_dengan_hormat", dt.date(2028, 8, 1), terakhir=prev) == {}
    assert _err("pindah_jabatan", dt.date(2028, 2, 1), terakhir=prev) == {}  # a jabatan was found meanwhile
    assert "jenis" in _err("uji_kompetensi", dt.date(2028, 2, 1), terakhir=prev)
    assert set(scoring.LANGKAH_BERIKUT) - {None} == {
        "uji_kompetensi", "pindah_jabatan", "turun_jabatan", "penempatan_sementara", "diberhentikan_dengan_hormat"
    }  # fmt: skip


# ---------------------------------------------------------------------------------- through the page


def _pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def perbaikan(org_a: Org, run_batch: Any, time_machine: Any) -> Evaluasi:
    """The pegawai rated Sangat Kurang; the batch on 30 December 2026 opens the window to 30 June 2027."""
    time_machine.move_to(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC))
    for p in (org_a.atasan, org_a.pegawai):
        make_skp(p)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, DB, DB)
    run_batch(org_a)
    with scopes_disabled():
        tl = TindakLanjut._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai)
        assert (tl.jenis, tl.selesai) == ("perbaikan_kinerja", AKHIR)
        return Evaluasi._base_manager.get(pk=tl.evaluasi_id)


@pytest.mark.django_db
def test_admin_records_the_chain_on_the_evaluation_page_with_a_document(
    org_a: Org, org_b: Org, perbaikan: Evaluasi, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2027, 7, 10, 10, 0, tzinfo=dt.UTC))
    url = f"/evaluasi/{perbaikan.pk}/tindak-lanjut/"
    admin = _login(org_a.admin.user)
    page = admin.get(f"/evaluasi/{perbaikan.pk}/").content.decode()
    assert 'data-testid="form-langkah"' in page
    assert '<option value="uji_kompetensi"' in page
    assert '<option value="pindah_jabatan"' not in page  # only the next allowed step is offered
    # out of order: a clerk-readable field error, nothing recorded
    resp = admin.post(url, {"jenis": "diberhentikan_dengan_hormat", "tanggal": "2027-07-10", "catatan": "x"})
    assert resp.status_code == 400
    assert "Uji kompetensi kembali" in resp.content.decode()  # the allowed next step, by its label
    # a file that is not a PDF is refused
    bad = SimpleUploadedFile("hasil.pdf", b"bukan pdf", content_type="application/pdf")
    resp = admin.post(
        url, {"jenis": "uji_kompetensi", "tanggal": "2027-07-10", "catatan": "Uji", "berkas": bad}
    )
    assert resp.status_code == 400
    # the first step, with its document
    doc = SimpleUploadedFile("hasil-uji.pdf", _pdf(), content_type="application/pdf")
    resp = admin.post(
        url,
        {
            "jenis": "uji_kompetensi",
            "tanggal": "2027-07-10",
            "catatan": "Uji kompetensi oleh BKD.",
            "berkas": doc,
        },
    )
    assert resp.status_code == 302
    # a temporary placement longer than a year is refused, then a valid one is recorded
    body = {
        "jenis": "penempatan_sementara",
        "tanggal": "2027-08-01",
        "sampai": "2028-09-01",
        "catatan": "Sementara",
    }
    resp = admin.post(url, body)
    assert resp.status_code == 400
    assert "paling lama 1 tahun" in resp.content.decode()
    assert admin.post(url, {**body, "sampai": "2028-07-31"}).status_code == 302
    with scopes_disabled():
        steps = list(LangkahTindakLanjut._base_manager.filter(instansi=org_a.instansi).order_by("tanggal"))
        assert AuditLog.objects.filter(action="evaluasi.tindak_lanjut.langkah").count() == 2
    assert [(s.jenis, s.tanggal, s.sampai) for s in steps] == [
        ("uji_kompetensi", dt.date(2027, 7, 10), None),
        ("penempatan_sementara", dt.date(2027, 8, 1), dt.date(2028, 7, 31)),
    ]
    assert steps[0].dicatat_oleh_id == org_a.admin.user.pk
    page = admin.get(f"/evaluasi/{perbaikan.pk}/").content.decode()
    assert '<option value="diberhentikan_dengan_hormat"' in page  # after a temporary placement
    assert '<option value="uji_kompetensi"' not in page
    # the pegawai sees the steps and downloads the document; nobody else's instansi can
    own = _login(org_a.pegawai.user)
    html = own.get(f"/evaluasi/{perbaikan.pk}/").content.decode()
    assert "Uji kompetensi oleh BKD." in html
    assert "Penempatan sementara (paling lama 1 tahun)" in html
    assert 'data-testid="form-langkah"' not in html  # only an admin records
    got = own.get(f"{url}?berkas={steps[0].pk}")
    assert got.status_code == 200
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    assert own.get(f"{url}?berkas={steps[1].pk}").status_code == 404  # no document on that step
    assert own.get(f"{url}?berkas=99999999999999999999").status_code == 404
    assert _login(org_b.admin.user).get(f"{url}?berkas={steps[0].pk}").status_code == 404
    # only an admin records: the Pejabat Penilai and the outsider get 404
    body2 = {"jenis": "diberhentikan_dengan_hormat", "tanggal": "2028-08-01", "catatan": "x"}
    assert _login(org_a.atasan.user).post(url, body2).status_code == 404
    assert _login(org_b.admin.user).post(url, body2).status_code == 404
    with scopes_disabled():
        assert LangkahTindakLanjut._base_manager.count() == 2
    # the end of the chain: no further step is offered
    assert admin.post(url, {**body2, "tanggal": "2028-08-01"}).status_code == 302
    assert 'data-testid="form-langkah"' not in admin.get(f"/evaluasi/{perbaikan.pk}/").content.decode()


@pytest.mark.django_db
def test_no_step_before_the_window_ends(org_a: Org, perbaikan: Evaluasi, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC))
    resp = _login(org_a.admin.user).post(
        f"/evaluasi/{perbaikan.pk}/tindak-lanjut/",
        {"jenis": "uji_kompetensi", "tanggal": "2027-03-01", "catatan": "x"},
    )
    assert resp.status_code == 400
    assert "masa perbaikan 6 bulan berakhir" in resp.content.decode()


@pytest.mark.django_db
def test_recomputing_after_a_keberatan_keeps_a_follow_up_with_recorded_steps(
    org_a: Org, perbaikan: Evaluasi, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2027, 7, 10, 10, 0, tzinfo=dt.UTC))
    _login(org_a.admin.user).post(
        f"/evaluasi/{perbaikan.pk}/tindak-lanjut/",
        {"jenis": "uji_kompetensi", "tanggal": "2027-07-10", "catatan": "x"},
    )
    with scope(instansi=org_a.instansi.pk):  # as the keberatan service calls it
        tindak_lanjut_hitung_ulang(instansi_id=org_a.instansi.pk, tahun=TAHUN, pegawai_id=org_a.pegawai.pk)
    with scopes_disabled():
        assert LangkahTindakLanjut._base_manager.filter(tindak_lanjut__pegawai=org_a.pegawai).count() == 1
        assert TindakLanjut._base_manager.filter(pegawai=org_a.pegawai, tahun=TAHUN).count() == 1
