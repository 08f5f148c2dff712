"""The signed SKP PDF of a JPT carries the SUMBER DATA column and the Manual IKU annex, as approved;
the demo seeds a PK the top JPT's results derive from, idempotently."""

import io
from typing import Any

import pypdf
import pytest
from django_scopes import scope

from perjanjian.demo import demo_pk_seed
from perjanjian.models import PerjanjianKinerja
from skp import services
from skp.models import Rhk
from tests.conftest import Org
from tests.dokumen.conftest import flat, read, render
from tests.perjanjian.conftest import SASARAN, buat_pk, iku

pytestmark = pytest.mark.django_db
TAHUN = 2026
IND = [{"aspek": "kuantitas", "iki": "Nilai IKM unit", "target": "85"}]


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages))


def test_jpt_pdf_shows_sumber_data_and_manual_iku_as_approved(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    ikm = iku(pk)[0]
    c = api(org_a.kepala.user)
    skp = c.post("/api/v1/skp/", {"tahun": TAHUN}, format="json").json()
    body = {
        "jenis": "utama",
        "rencana_hasil_kerja": "Meningkatnya kepuasan",
        "indikator": IND,
        "indikator_pk": ikm.pk,
    }
    assert c.post(f"/api/v1/skp/{skp['id']}/rhk/", body, format="json").status_code == 201
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    assert api(org_a.admin.user).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    # the PK is revised after the approval: the PDF keeps what was approved
    revisi = [
        {
            "uraian": "Sasaran baru",
            "indikator": [
                {"id": ikm.pk, "uraian": "IKM versi baru", "target": "99", "sumber_data": "Sumber baru"}
            ],
        }
    ]
    buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN, sasaran=revisi)
    text = pdf_text(read(render(org_a, skp["id"])))
    assert "SUMBER DATA" in text
    assert "MANUAL INDIKATOR KINERJA UTAMA" in text
    assert "Survei kepuasan masyarakat triwulanan" in text  # sumber data
    assert "Rata-rata nilai survei x 25" in text  # formula
    assert "Tingkat kepuasan penerima layanan" in text  # definisi
    assert "Triwulanan" in text  # periode pelaporan
    assert SASARAN[0]["uraian"] in text
    assert "IKM versi baru" not in text
    assert "Sumber baru" not in text


def test_demo_seeds_a_pk_the_top_jpt_derives_from_idempotently(org_a: Org) -> None:
    with scope(instansi=org_a.instansi.pk):
        skp = services.skp_create_draft(actor=org_a.kepala.user, tahun=TAHUN)
        for teks in ("Hasil satu", "Hasil dua"):
            services.skp_rhk_add(
                actor=org_a.kepala.user, skp=skp, jenis="utama", rencana_hasil_kerja=teks, indikator=IND
            )
        import datetime as dt

        first = demo_pk_seed(instansi=org_a.instansi, today=dt.date(TAHUN, 6, 1))
        assert first["perjanjian_kinerja"] >= 2  # last year and this year of the top unit
        assert first["rhk_dari_pk"] == 2
        pk = PerjanjianKinerja.objects.get(unit_kerja=org_a.kepala.unit_kerja, tahun=TAHUN, aktif=True)
        assert pk.sasaran.count() == 2
        linked = list(
            Rhk.objects.filter(skp=skp)
            .order_by("urutan")
            .values_list("indikator_pk__sasaran__urutan", flat=True)
        )
        assert linked == [0, 1]  # the two results derive from the two sasaran
        again = demo_pk_seed(instansi=org_a.instansi, today=dt.date(TAHUN, 6, 1))
        assert again.get("perjanjian_kinerja", 0) == 0
        assert again.get("rhk_dari_pk", 0) == 0
        assert PerjanjianKinerja.objects.filter(unit_kerja=org_a.kepala.unit_kerja, tahun=TAHUN).count() == 1
        locked = services.skp_submit(actor=org_a.kepala.user, skp=skp)
        assert locked.status == "diajukan"
