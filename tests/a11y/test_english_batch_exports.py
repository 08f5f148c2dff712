"""English UI: the year-end batch pages, the exports page, a document job's page and the process stage
names (job status, batch stage, export labels) have no Indonesian left once a user picks English.

The check reads the visible text of each page (tags, scripts and styles removed), takes out the data
(people, units, the instansi, rule-set names: they stay as entered) and looks for Indonesian words.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from kinerja.models import Job, Pegawai, UnitKerja
from kinerja.templatetags.kinerja_tags import tahap_label
from tests.a11y.conftest import TAHUN, build_dunia

pytestmark = pytest.mark.django_db

# Indonesian words that have no business in the English UI (whole words, case-insensitive).
INDONESIAN = [
    "yang",
    "dan",
    "dari",
    "untuk",
    "dengan",
    "tahun",
    "belum",
    "sudah",
    "sedang",
    "setiap",
    "semua",
    "seluruh",
    "daftar",
    "dokumen",
    "ekspor",
    "unduh",
    "buat",
    "proses",
    "jalankan",
    "riwayat",
    "aturan",
    "simpan",
    "kembali",
    "lihat",
    "hasil",
    "dinilai",
    "lengkap",
    "tindak",
    "lanjut",
    "selesai",
    "berjalan",
    "antri",
    "gagal",
    "menunggu",
    "giliran",
    "rekap",
    "finalisasi",
    "cek",
    "pola",
    "distribusi",
    "serah",
    "notifikasi",
    "uji",
    "coba",
    "disimpan",
    "kandidat",
    "predikat",
    "tabel",
    "dibuat",
    "latar",
    "belakang",
    "terakhir",
    "halaman",
    "beranda",
    "pegawai",
    "kinerja",
    "penilaian",
    "evaluasi",
    "tahunan",
    "keluar",
    "masuk",
    "ganti",
    "kata",
    "sandi",
    "berlaku",
    "peringatan",
    "jumlah",
    "pengembangan",
    "kompetensi",
    "perbaikan",
    "bulan",
    "angka",
    "kredit",
    "ditandatangani",
    "Desember",
]
_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in INDONESIAN) + r")\b", re.IGNORECASE)
_DROP = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Any:
    yield
    translation.deactivate()


def english_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    resp = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert resp.status_code == 302
    return client


def visible_text(body: str, data: list[str]) -> str:
    text = html.unescape(_DROP.sub(" ", body))
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return " ".join(text.split())


def indonesian_left(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in _WORD.finditer(text)]


def _data_strings(d: Any) -> list[str]:
    from evaluasi.models import AturanDistribusi

    with scopes_disabled():
        names = list(Pegawai._base_manager.filter(instansi=d.org.instansi).values_list("nama", flat=True))
        units = list(UnitKerja._base_manager.filter(instansi=d.org.instansi).values_list("nama", flat=True))
        aturan = list(AturanDistribusi.objects.values_list("nama", flat=True))
    return [*names, *units, *aturan, d.org.instansi.nama, "Kinerja"]


def _page(client: Client, url: str, data: list[str]) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    body = resp.content.decode()
    assert 'lang="en"' in body
    return visible_text(body, data)


def test_batch_exports_and_job_pages_have_no_indonesian_left() -> None:
    d = build_dunia()
    data = _data_strings(d)
    admin = english_client(d.org.admin.user)
    hr = english_client(d.org.hr.user)
    pages = {
        "batch page": (admin, reverse("evaluasi:tahunan") + f"?job={d.batch_job}"),
        "batch result": (admin, reverse("evaluasi:tahunan-hasil", args=[d.batch_job])),
        "exports": (hr, reverse("dokumen-ekspor")),
        "export job": (hr, reverse("dokumen-job", args=[d.dokumen_job])),
    }
    left = {}
    texts = {}
    for name, (client, url) in pages.items():
        texts[name] = _page(client, url, data)
        found = indonesian_left(texts[name])
        if found:
            left[name] = found
    assert not left, "Indonesian left on English pages:\n" + "\n".join(
        f"{name}: {found[:8]}" for name, found in left.items()
    )
    # and the English is there
    assert "Annual evaluation batch" in texts["batch page"]
    assert "6/6 Hand-over of documents & notifications" in texts["batch page"]
    assert "Performance rating distribution per work unit" in texts["exports"]
    assert "All approved SKP PDFs (ZIP)" in texts["exports"]
    assert "Finished" in texts["export job"]


# Every stage label the year-end batch writes (read from its source, so a new one cannot be forgotten).
BATCH_SOURCE = Path(settings.BASE_DIR) / "evaluasi" / "batch.py"


def _batch_stage_literals() -> list[str]:
    found = re.findall(r'"(\d/6 [^"{]+)"', BATCH_SOURCE.read_text(encoding="utf-8"))
    found += [
        f.split(" (", 1)[0] for f in re.findall(r'f"(\d/6 [^"{]+)', BATCH_SOURCE.read_text(encoding="utf-8"))
    ]
    return sorted(set(found))


def test_every_batch_stage_name_is_translated() -> None:
    stages = _batch_stage_literals()
    assert len(stages) >= 5, stages
    with translation.override("en"):
        for stage in stages:
            label = tahap_label(stage)
            assert label != stage, f"no English for the batch stage {stage!r}"
            assert not indonesian_left(label), (stage, label)
        # the chunk counter and the document count keep their numbers
        assert (
            tahap_label("1/6 Rekap kelengkapan & predikat (2/7)") == "1/6 Completeness & rating summary (2/7)"
        )
        assert tahap_label("120 dokumen") == "120 documents"
        assert tahap_label("selesai") == "done"
        assert tahap_label("something new") == "something new"  # unknown: shown as written
    with translation.override("id"):
        assert tahap_label("4/6 Finalisasi & tindak lanjut") == "4/6 Finalisasi & tindak lanjut"


def test_running_batch_shows_its_stage_in_english() -> None:
    d = build_dunia()
    with scope(instansi=d.org.instansi.pk):
        Job.objects.filter(pk=d.batch_job).update(
            status="berjalan", detail={"tahap": "1/6 Rekap kelengkapan & predikat (1/3)", "tahun": TAHUN}
        )
    admin = english_client(d.org.admin.user)
    text = _page(admin, reverse("evaluasi:tahunan") + f"?job={d.batch_job}", _data_strings(d))
    assert re.search(r"Running…\s*: 1/6 Completeness & rating summary \(1/3\)", text), text[-600:]
    assert not indonesian_left(text)
