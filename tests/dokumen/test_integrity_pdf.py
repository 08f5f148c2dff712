"""Issue #14 at the document level: the approved SKP's signed PDF, rendered AFTER the leader reworded
the result it cascades from (and after others renamed the instansi, unit, jabatan, names and a
BerAKHLAK text), prints what was approved. Text read back with pypdf. The evaluation document of that
SKP uses the same snapshot."""

import io
from typing import Any

import pytest
from django_scopes import scope
from pypdf import PdfReader

from evaluasi.models import JenisEvaluasi
from tests.conftest import Org
from tests.dokumen.conftest import flat, read, render
from tests.evaluasi.conftest import ensure_all
from tests.skp.test_integrity import BARU_A, LAMA_A, _rename_everything, build_cascade, remove, reword

pytestmark = pytest.mark.django_db


def pypdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def test_pdf_of_approved_skp_prints_what_was_approved(org_a: Org) -> None:
    # given an approved SKP cascading from the leader's draft result A
    cascade = build_cascade(org_a)
    old = {
        "pegawai": org_a.pegawai.nama,
        "atasan": org_a.atasan.nama,
        "instansi": org_a.instansi.nama,
        "jabatan": org_a.pegawai.jabatan.nama,
        "unit": org_a.pegawai.unit_kerja.nama,
    }
    # when the leader rewords A, deletes B (only a draft linked to it), others rename everything
    reword(org_a, cascade.leader_a, BARU_A)
    remove(org_a, cascade.leader_b)
    _rename_everything(org_a)
    # and only then the render task runs (the worker may lag behind the approval)
    text = pypdf_text(read(render(org_a, cascade.approved.pk)))
    # then the PDF shows the leader's text, the identities, the instansi and BerAKHLAK as approved
    assert flat(LAMA_A) in text
    assert "tanpa antrean" not in text
    assert "Terverifikasinya berkas kenaikan pangkat" in text
    for value in old.values():
        assert flat(value).upper() in text.upper(), value
    for renamed in (
        "Nama Pegawai Sesudah Ganti",
        "Nama Atasan Sesudah Ganti",
        "Instansi Baru Setelah Pemekaran",
        "Jabatan Nomenklatur Baru",
        "Unit Hasil Restrukturisasi",
        "Panduan baru satu",
    ):
        assert renamed.upper() not in text.upper(), renamed


def test_evaluation_document_uses_the_skp_snapshot(org_a: Org) -> None:
    from evaluasi.documents import evaluasi_document_context
    from evaluasi.selectors import evaluasi_detail_queryset

    # given the approved SKP has its annual evaluation row, then the leader rewords and others rename
    cascade = build_cascade(org_a)
    ensure_all(org_a.instansi, tahun=cascade.approved.tahun)
    nama_atasan = org_a.atasan.nama
    reword(org_a, cascade.leader_a, BARU_A)
    _rename_everything(org_a)
    # when the evaluation document's context is built
    with scope(instansi=org_a.instansi.pk):
        ev = evaluasi_detail_queryset(instansi=org_a.instansi).get(
            skp_id=cascade.approved.pk, jenis=JenisEvaluasi.TAHUNAN
        )
        ctx = evaluasi_document_context(ev=ev)
    # then it shows the leader text, the identities and the BerAKHLAK texts of the approved SKP
    rows = [r for b in ctx["bagian_hasil"] for r in b["rhk"]]
    assert [r["rhk_pimpinan"] for r in rows] == [LAMA_A]
    assert ctx["pegawai"] == reload_snapshot(cascade.approved.pk, org_a)
    assert ctx["penilai"]["nama"] == nama_atasan
    panduan = [t for p in ctx["perilaku"] for t in p["panduan"]]
    assert "Panduan baru satu" not in panduan
    assert len(ctx["perilaku"]) == 7


def reload_snapshot(skp_id: int, org: Org) -> Any:
    from skp.models import Skp

    with scope(instansi=org.instansi.pk):
        return Skp.objects.get(pk=skp_id).snapshot_pegawai
