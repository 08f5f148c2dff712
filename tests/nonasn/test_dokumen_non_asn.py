"""Documents of a Pejabat Penilai non-ASN (issue #16): the SKP PDF and the evaluation PDF print its nama
and jabatan in the Pejabat Penilai box, no NIP ("-"), and the approval snapshot freezes them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scopes_disabled
from pypdf import PdfReader

from kinerja.models import PejabatNonAsn
from skp.models import Skp
from tests.conftest import Org
from tests.dokumen.conftest import flat, read, render, screenshot
from tests.dokumen.test_evaluasi_dokumen import _render_evaluasi
from tests.nonasn.test_pejabat_non_asn import add_bupati, login, submitted_kepala_skp

pytestmark = pytest.mark.django_db

JENDELA = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.KINERJA_PUBLIC_BASE_URL = "https://kinerja.example.go.id"


def text_of(data: bytes) -> str:
    return flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def test_skp_pdf_prints_the_bupati_and_the_snapshot_freezes_it(
    org_a: Org, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(JENDELA)
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    assert login(api).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    data = read(render(org_a, skp["id"]))
    screenshot(data, "skp-non-asn")
    text = text_of(data)
    assert "H. Ahmad Sukamaju, S.H." in text
    assert "Bupati Sukamaju" in text
    assert "PEJABAT PENILAI KINERJA" in text
    # renaming the official later does not change the approved SKP's snapshot
    from django.core.management import call_command

    call_command(
        "add_pejabat_non_asn", "--instansi", "A", "--username", "bupati.a", "--nama", "Nama Baru",
        "--jabatan", "Pj. Bupati", "--menilai", org_a.kepala.nip,
    )  # fmt: skip
    with scopes_disabled():
        frozen = Skp.objects.get(pk=skp["id"])
        assert PejabatNonAsn.objects.get(user__nip="bupati.a").nama == "Nama Baru"
    assert frozen.snapshot_penilai["nama"] == "H. Ahmad Sukamaju, S.H."
    assert frozen.snapshot_penilai["jabatan"] == "Bupati Sukamaju"
    assert frozen.snapshot_penilai["nip"] == "-"


def test_evaluation_pdf_prints_the_bupati(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(JENDELA)
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    bupati = login(api)
    assert bupati.post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    rows = bupati.get("/api/v1/evaluasi/", {"tahun": 2026}).json()["results"]
    ev = next(e for e in rows if e["jenis"] == "periodik" and e["pegawai"]["id"] == org_a.kepala.pk)
    resp = bupati.patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
            "justifikasi": "Sesuai ekspektasi Bupati.",
            "versi": ev["versi"],
        },
        format="json",
    )
    assert resp.status_code == 200, resp.content
    data = read(_render_evaluasi(org_a, ev["id"]))
    screenshot(data, "evaluasi-non-asn")
    text = text_of(data)
    assert "H. Ahmad Sukamaju, S.H." in text
    assert "Bupati Sukamaju" in text
