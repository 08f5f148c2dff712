"""API twin of the follow-up chain page (``evaluasi:tindak-lanjut-langkah``, issue #17 R3, domain §8.2):
the same service, an admin only, the chain's order, an optional PDF checked whole."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from evaluasi.models import Evaluasi, LangkahTindakLanjut
from tests.conftest import Org
from tests.evaluasi.test_aturan3_langkah import _pdf, perbaikan  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_admin_records_steps_through_the_api(
    org_a: Org,
    org_b: Org,
    perbaikan: Evaluasi,  # noqa: F811 - the imported fixture
    time_machine: Any,
    api: Any,
) -> None:
    time_machine.move_to(dt.datetime(2027, 7, 10, 10, 0, tzinfo=dt.UTC))
    url = f"/api/v1/evaluasi/{perbaikan.pk}/tindak-lanjut/"
    admin = api(org_a.admin.user)
    # out of the chain's order → refused with the field named, nothing recorded
    resp = admin.post(
        url, {"jenis": "diberhentikan_dengan_hormat", "tanggal": "2027-07-10", "catatan": "x"}, format="json"
    )
    assert resp.status_code in (400, 409)
    assert resp.json()["errors"]
    # a file that is not a PDF → 400
    bad = SimpleUploadedFile("hasil.pdf", b"bukan pdf", content_type="application/pdf")
    resp = admin.post(
        url,
        {"jenis": "uji_kompetensi", "tanggal": "2027-07-10", "catatan": "Uji", "berkas": bad},
        format="multipart",
    )
    assert resp.status_code == 400
    # the first step with its PDF → 201
    doc = SimpleUploadedFile("hasil-uji.pdf", _pdf(), content_type="application/pdf")
    resp = admin.post(
        url,
        {
            "jenis": "uji_kompetensi",
            "tanggal": "2027-07-10",
            "catatan": "Uji kompetensi oleh BKD.",
            "berkas": doc,
        },
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["jenis"] == "uji_kompetensi"
    assert resp.json()["nama_berkas"]
    # the Pejabat Penilai, the pegawai and the outsider: 404
    body = {"jenis": "pindah_jabatan", "tanggal": "2027-08-01", "catatan": "x"}
    for user in (org_a.atasan.user, org_a.pegawai.user, org_b.admin.user):
        assert api(user).post(url, body, format="json").status_code == 404
    with scopes_disabled():
        assert LangkahTindakLanjut._base_manager.filter(instansi=org_a.instansi).count() == 1
