"""The SKP PDF: official layout checked on the TEXT of the rendered, signed file."""

from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope

from kinerja.validators import format_nip
from skp.core_values import BERAKHLAK_V1
from tests.conftest import Org
from tests.dokumen.conftest import (
    flat,
    full_plan,
    pdf_fonts,
    pdf_text,
    read,
    render,
    requires_poppler,
    screenshot,
)

pytestmark = [pytest.mark.django_db, requires_poppler]


def test_skp_ja_kuantitatif_layout(org_a: Org, api: Any, tmp_path: Path) -> None:
    # given an approved pegawai SKP (JA pelaksana, kuantitatif) linked to the leader's result
    plan = full_plan(api, org_a)
    # when the render task runs
    dok = render(org_a, plan["pegawai"]["id"])
    data = read(dok)
    screenshot(data, "skp-ja-kuantitatif", 1)
    screenshot(data, "skp-ja-kuantitatif", 2)
    text = flat(pdf_text(data))
    # then the header follows the official form
    assert "SASARAN KINERJA PEGAWAI" in text
    assert "PEJABAT ADMINISTRASI (PELAKSANA)" in text
    assert "PENDEKATAN HASIL KERJA KUANTITATIF" in text
    assert org_a.instansi.nama.upper() in text
    assert "PERIODE PENILAIAN: 1 JANUARI 2026 S.D. 31 DESEMBER 2026" in text
    assert "PEGAWAI YANG DINILAI" in text
    assert "PEJABAT PENILAI KINERJA" in text
    for label in ("NAMA", "NIP", "PANGKAT/GOL. RUANG", "JABATAN", "UNIT KERJA"):
        assert label in text
    assert org_a.pegawai.nama in text
    assert org_a.atasan.nama in text
    assert format_nip(org_a.pegawai.nip) in text
    assert format_nip(org_a.atasan.nip) in text
    assert "Pengadministrasi Umum" in text
    assert "Kepala Bidang" in text
    # the results table with the leader's result being supported
    assert "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI" in text
    assert "A. UTAMA" in text
    assert "B. TAMBAHAN" in text
    assert "Tersusunnya standar pelayanan bidang umum" in text
    assert "Terselesaikannya draf SOP loket pelayanan" in text
    assert "Menjadi narasumber pelatihan internal" in text
    assert "Jumlah laporan yang diselesaikan" in text
    assert "90 - 95 %" in text
    assert "Kuantitas" in text
    assert "Waktu" in text
    # the 7 core values with their 3 guide texts, and the leader's specific expectations
    for _kode, nama, panduan, _tag in BERAKHLAK_V1:
        assert nama in text
        for p in panduan:
            assert flat(p) in text
    assert "Laporan tepat waktu setiap bulan" in text
    assert "Aktif dalam tim SOP" in text
    # lampiran and the signature block
    assert "LAMPIRAN SASARAN KINERJA PEGAWAI" in text
    for item in (
        "Anggaran pelatihan Rp 5.000.000",
        "Laporan bulanan kepada Kepala Bidang",
        "Pemberian penghargaan",
    ):
        assert item in text
    assert "Pegawai yang Dinilai" in text
    assert "Pejabat Penilai Kinerja" in text
    assert f"{org_a.instansi.tempat}, " in text
    # verification footer on every page, fonts bundled and embedded
    assert dok.kode_tampil in text
    assert f"https://kinerja.example.go.id/verifikasi/{dok.kode}/" in text
    assert text.count("Kode verifikasi") == len(pdf_text(data).split("\f")) - 1
    fonts = pdf_fonts(data, tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows
    assert all(r[0].split("+")[-1].startswith("Dokumen") for r in rows)
    assert all(r[-5] == "yes" for r in rows)  # every font embedded


def test_skp_jpt_has_perspektif_not_leader_column(org_a: Org, api: Any) -> None:
    plan = full_plan(api, org_a)
    dok = render(org_a, plan["kepala"]["skp"]["id"])
    data = read(dok)
    screenshot(data, "skp-jpt", 1)
    text = flat(pdf_text(data))
    assert "PEJABAT PIMPINAN TINGGI PRATAMA" in text
    assert "PERSPEKTIF" in text
    assert "DIINTERVENSI" not in text
    assert "Meningkatnya kualitas pelayanan publik daerah" in text
    # no Pejabat Penilai inside the app: the box says so instead of inventing one
    with scope(instansi=org_a.instansi.pk):
        assert dok.penandatangan.startswith("Ditetapkan oleh admin instansi")


def test_skp_kualitatif_long_texts_wrap_and_paginate(org_a: Org, api: Any) -> None:
    """Qualitative JA form (indicator and target as one narrative), long texts over several pages."""
    from tests.skp.test_api_skp import approved_skp

    long_rhk = (
        "Terwujudnya penataan ulang arsip dinamis inaktif seluruh bidang sesuai jadwal retensi arsip "
        "dengan berita acara pemindahan yang ditandatangani pejabat berwenang "
    )
    kepala = approved_skp(api, org_a.kepala, org_a.admin, ["Meningkatnya tata kelola kearsipan"])
    atasan = approved_skp(
        api, org_a.atasan, org_a.kepala, ["Tertatanya arsip bidang"], [kepala["rhk"][0]["id"]]
    )
    c = api(org_a.pegawai.user)
    skp = c.post("/api/v1/skp/", {"tahun": 2026, "pendekatan": "kualitatif"}, format="json").json()
    for i in range(9):
        resp = c.post(
            f"/api/v1/skp/{skp['id']}/rhk/",
            {
                "jenis": "utama",
                "rencana_hasil_kerja": f"{i + 1}. {long_rhk * 2}",
                "rhk_pimpinan": atasan["rhk"][0]["id"],
                "indikator": [
                    {
                        "aspek": "kualitas",
                        "iki": "Arsip tertata dan dapat ditemukan kembali dalam waktu singkat",
                        "target": "paling lambat Juni",
                    },
                    {"aspek": "waktu", "iki": "Berita acara pemindahan arsip lengkap", "target": ""},
                ],
            },
            format="json",
        )
        assert resp.status_code == 201, resp.content
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    assert api(org_a.atasan.user).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    dok = render(org_a, skp["id"])
    data = read(dok)
    screenshot(data, "skp-ja-kualitatif", 1)
    screenshot(data, "skp-ja-kualitatif", 2)
    pages = pdf_text(data).split("\f")
    text = flat(" ".join(pages))
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in text
    assert "UKURAN KEBERHASILAN / INDIKATOR KINERJA INDIVIDU DAN TARGET" in text
    assert (
        "Arsip tertata dan dapat ditemukan kembali dalam waktu singkat — Target: paling lambat Juni" in text
    )
    assert "9. Terwujudnya penataan ulang arsip" in text
    assert len(pages) - 1 >= 3
    # the table header repeats on the page the results continue on
    assert "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI" in flat(pages[1]) or "PERILAKU KERJA" in flat(
        pages[1]
    )


def test_qr_code_in_pdf_encodes_the_verification_url(org_a: Org, api: Any) -> None:
    """Read the QR image back out of the signed PDF and compare it module by module with the QR
    code of the document's verification URL (no QR decoder is installed, the matrix is enough)."""
    import io

    import qrcode
    from pypdf import PdfReader
    from qrcode.constants import ERROR_CORRECT_M

    plan = full_plan(api, org_a)
    dok = render(org_a, plan["pegawai"]["id"])
    reader = PdfReader(io.BytesIO(read(dok)))
    images = reader.pages[0].images
    assert len(images) == 1
    img = images[0].image.convert("L")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=1)
    qr.add_data(f"https://kinerja.example.go.id/verifikasi/{dok.kode}/")
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the 1-module border
    n = len(matrix)
    assert img.width == img.height == n * 8
    seen = [[img.getpixel((x * 8 + 4, y * 8 + 4)) < 128 for x in range(n)] for y in range(n)]
    assert seen == matrix
