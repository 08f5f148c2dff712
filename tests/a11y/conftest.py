"""A whole instansi's year, built through the real services, so every page of the app has something
to show: SKPs in every status, realisasi with evidence, feedback, dialog records, an assignment,
ratings, the year-end batch, a keberatan, signed documents and finished export jobs.

Browser tests use the real clock (the browser's session cookie does), so the year is this year.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, Org, build_org, private_celery_queue

TAHUN = timezone.localdate().year
TIMEOUT = 15_000
LOCALE = "id-ID"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS_DIR = Path(os.environ.get("KINERJA_A11Y_SHOTS") or Path(tempfile.gettempdir()) / "shots-a11y")


@pytest.fixture(autouse=True)
def _timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": LOCALE, "viewport": DESKTOP}


@pytest.fixture
def private_queue() -> Iterator[str]:
    """Tasks queued by the test go to a queue nobody consumes (see ``private_celery_queue``)."""
    with private_celery_queue("test-a11y") as queue:
        yield queue


def login(page: Page, base: str, nip: str) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    page.goto(f"{base}/masuk/")
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{base}/")  # signed in (the name in the navbar is collapsed on a phone)


@dataclass
class Dunia:
    """One instansi with something on every page. ``urls`` maps a page name to the URLs with an
    object, per role that may open it."""

    org: Org
    skp_pegawai: int = 0
    skp_atasan: int = 0
    skp_rekan: int = 0
    evaluasi_tahunan: int = 0
    evaluasi_periodik: int = 0
    catatan: int = 0
    penugasan: int = 0
    keberatan: int = 0
    batch_job: int = 0
    dokumen_job: int = 0
    dokumen_kode: str = ""
    unit: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def build_dunia() -> Dunia:
    from dialog import services as dialog_services
    from evaluasi.batch import tahunan_batch_run
    from evaluasi.models import Evaluasi, JenisEvaluasi
    from evaluasi.rules import aturan_seed
    from evaluasi.services import evaluasi_ensure, keberatan_ajukan, tahunan_batch_start
    from kinerja.documents import get_job
    from kinerja.models import Periode
    from kinerja.services.dokumen import dokumen_job_start
    from kinerja.services.tenancy import periode_ensure_year
    from skp import services as skp_services
    from skp.models import Skp
    from skp.tasks import skp_document_render_task, skp_rekap_pdf_task
    from tests.dialog.conftest import make_skp
    from tests.evaluasi.conftest import set_rating

    org = build_org("A")
    build_org("B")  # a second instansi in the database, as in production
    d = Dunia(org=org, unit=org.pegawai.unit_kerja_id)
    i = org.instansi
    hari_ini = timezone.localdate()
    from evaluasi.models import AturanDistribusi

    aturan_seed(AturanDistribusi)

    with scope(instansi=i.pk):
        periods: list[Periode] = periode_ensure_year(instansi=i, tahun=TAHUN)
        sekarang = next((p for p in periods if p.mulai <= hari_ini <= p.selesai), periods[-1])

        # SKPs: the pegawai's and the atasan's approved, the rekan's waiting for approval.
        skp = make_skp(org, org.pegawai, n_rhk=2)
        d.skp_pegawai = skp.pk
        atasan_skp = Skp.objects.filter(pegawai=org.atasan, tahun=TAHUN).first()
        assert atasan_skp is not None
        skp_services.skp_submit(actor=org.atasan.user, skp=atasan_skp)
        skp_services.skp_approve(actor=org.kepala.user, skp=Skp.objects.get(pk=atasan_skp.pk))
        d.skp_atasan = atasan_skp.pk
        rekan = make_skp(org, org.rekan, n_rhk=1, approve=False)
        skp_services.skp_submit(actor=org.rekan.user, skp=Skp.objects.get(pk=rekan.pk))
        d.skp_rekan = rekan.pk

        # Documentation: a realisasi with a link as evidence, a rencana aksi, feedback and a request.
        ind = list(skp.rhk.order_by("urutan", "id").first().indikator.order_by("urutan", "id"))
        dialog_services.realisasi_save(
            actor=org.pegawai.user,
            skp=skp,
            indikator_id=ind[0].pk,
            periode_id=sekarang.pk,
            realisasi="10 laporan selesai",
            keterangan="Dua laporan menunggu data dari bidang lain",
            berkas=None,
            tautan="https://arsip.example.go.id/laporan",
            judul_bukti="Arsip laporan",
        )
        rhk0 = skp.rhk.order_by("urutan", "id").first()
        dialog_services.rencana_aksi_add(
            actor=org.pegawai.user,
            skp=skp,
            rhk_id=rhk0.pk,
            periode_id=sekarang.pk,
            uraian="Mengumpulkan data dari setiap seksi",
            target="5 seksi",
        )
        ub = dialog_services.umpan_balik_give(
            actor=org.atasan.user,
            skp=skp,
            periode_id=sekarang.pk,
            isi="Laporan sudah rapi; tambahkan ringkasan eksekutif.",
            rhk_id=rhk0.pk,
        )
        dialog_services.umpan_balik_reply(
            actor=org.pegawai.user, umpan_balik=ub, isi="Baik, akan saya tambahkan."
        )
        dialog_services.permintaan_create(
            actor=org.pegawai.user,
            skp=skp,
            diminta_id=org.rekan.pk,
            periode_id=sekarang.pk,
            pesan="Mohon masukan atas laporan bulanan saya.",
        )
        catatan = dialog_services.catatan_create(
            actor=org.atasan.user,
            jenis="bimbingan_kinerja",
            pegawai=org.pegawai,
            tanggal=hari_ini,
            agenda="Penyusunan laporan bulanan",
            catatan="Pegawai perlu dukungan data dari bidang lain.",
            tindak_lanjut=[
                {"uraian": "Menyusun jadwal pengumpulan data", "tenggat": hari_ini + dt.timedelta(days=14)}
            ],
        )
        d.catatan = catatan.pk
        penugasan = dialog_services.penugasan_propose(
            actor=org.kepala.user,
            pegawai=org.pegawai,
            hasil_kerja="Tersusunnya kajian perencanaan lintas bidang",
            indikator=[{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
            mulai=max(sekarang.mulai, skp.periode_mulai),
            selesai=skp.periode_selesai,
        )
        d.penugasan = penugasan.pk

        # Ratings and the year-end batch (final), then the pegawai objects.
        evaluasi_ensure(instansi=i, tahun=TAHUN)
    set_rating(org.pegawai, "di_atas_ekspektasi", "sesuai_ekspektasi", tahun=TAHUN)
    set_rating(org.atasan, "sesuai_ekspektasi", "sesuai_ekspektasi", tahun=TAHUN)
    with scope(instansi=i.pk):
        ev = Evaluasi.objects.get(
            pegawai=org.pegawai, tahun=TAHUN, jenis=JenisEvaluasi.TAHUNAN, skp_id=skp.pk
        )
        d.evaluasi_tahunan = ev.pk
        periodik = (
            Evaluasi.objects.filter(pegawai=org.pegawai, tahun=TAHUN)
            .exclude(jenis=JenisEvaluasi.TAHUNAN)
            .order_by("periode__mulai")
            .first()
        )
        d.evaluasi_periodik = periodik.pk if periodik else 0
        job = tahunan_batch_start(
            actor=org.admin.user, roles=["admin_instansi"], instansi=i, tahun=TAHUN, dry_run=False
        )
        tahunan_batch_run(job_id=job.pk)
        d.batch_job = job.pk
        keberatan = keberatan_ajukan(
            actor=org.pegawai.user,
            evaluasi=Evaluasi.objects.get(pk=d.evaluasi_tahunan),
            alasan="Realisasi triwulan empat belum diperhitungkan.",
        )
        d.keberatan = keberatan.pk

    # Signed PDF of the pegawai's SKP (the atasan's stays "being prepared"), and a finished export job.
    dok_id = skp_document_render_task(i.pk, d.skp_pegawai)
    with scopes_disabled():
        from kinerja.models import Dokumen

        d.dokumen_kode = Dokumen._base_manager.get(pk=dok_id).kode
    with scope(instansi=i.pk):
        spec = get_job("skp_rekap_pdf")
        assert spec is not None
        ekspor = dokumen_job_start(
            actor=org.hr.user, instansi=i, spec=spec, params={"tahun": TAHUN, "unit": None}
        )
    skp_rekap_pdf_task(i.pk, ekspor.pk)
    d.dokumen_job = ekspor.pk
    return d


def object_pages(d: Dunia) -> dict[str, list[tuple[str, str]]]:
    """Pages with an object, by role: (label, path)."""
    org = d.org
    skp_p, skp_a, skp_r = d.skp_pegawai, d.skp_atasan, d.skp_rekan
    ev, unit = d.evaluasi_tahunan, d.unit
    pegawai = [
        ("skp detail (approved, signed PDF)", f"/skp/{skp_p}/"),
        ("realisasi", f"/dialog/skp/{skp_p}/realisasi/"),
        ("umpan balik skp", f"/dialog/skp/{skp_p}/umpan-balik/"),
        ("matriks peran hasil", f"/skp/{skp_p}/matriks/"),
        ("catatan detail", f"/dialog/catatan/{d.catatan}/"),
        ("linimasa", f"/dialog/linimasa/{org.pegawai.pk}/"),
        ("evaluasi tahunan", f"/evaluasi/{ev}/"),
        ("dokumen evaluasi (waiting)", f"/evaluasi/{ev}/dokumen/"),
    ]
    if d.evaluasi_periodik:
        pegawai.append(("evaluasi periodik", f"/evaluasi/{d.evaluasi_periodik}/"))
    atasan = [
        ("skp detail (own, PDF being prepared)", f"/skp/{skp_a}/"),
        ("skp detail (to approve)", f"/skp/{skp_r}/"),
        ("skp detail of a subordinate", f"/skp/{skp_p}/"),
        ("matriks peran hasil (leader)", f"/skp/{skp_a}/matriks/"),
        ("realisasi of a subordinate", f"/dialog/skp/{skp_p}/realisasi/"),
        ("umpan balik of a subordinate", f"/dialog/skp/{skp_p}/umpan-balik/"),
        ("catatan detail", f"/dialog/catatan/{d.catatan}/"),
        ("penugasan detail", f"/dialog/penugasan/{d.penugasan}/"),
        ("linimasa", f"/dialog/linimasa/{org.pegawai.pk}/"),
        ("evaluasi tahunan (rate)", f"/evaluasi/{ev}/"),
        ("unit", f"/evaluasi/unit/{unit}/?tahun={TAHUN}"),
    ]
    if d.evaluasi_periodik:
        atasan.append(("evaluasi periodik (rate)", f"/evaluasi/{d.evaluasi_periodik}/"))
    admin = [
        ("unit detail", f"/organisasi/unit/{unit}/"),
        ("pegawai detail", f"/pegawai/{org.pegawai.pk}/"),
        ("skp detail", f"/skp/{skp_p}/"),
        ("evaluasi tahunan", f"/evaluasi/{ev}/"),
        ("unit evaluasi", f"/evaluasi/unit/{unit}/?tahun={TAHUN}"),
        ("laporan unit", f"/evaluasi/laporan/unit/{unit}/?tahun={TAHUN}"),
        ("keberatan putus", f"/evaluasi/keberatan/{d.keberatan}/"),
        ("batch result", f"/evaluasi/tahunan/{d.batch_job}/"),
        ("batch page with a job", f"/evaluasi/tahunan/?job={d.batch_job}"),
        ("dokumen job", f"/dokumen/jobs/{d.dokumen_job}/"),
    ]
    hr = [
        ("pegawai detail", f"/pegawai/{org.pegawai.pk}/"),
        ("unit detail", f"/organisasi/unit/{unit}/"),
        ("skp detail", f"/skp/{skp_p}/"),
        ("laporan unit", f"/evaluasi/laporan/unit/{unit}/?tahun={TAHUN}"),
        ("dokumen job", f"/dokumen/jobs/{d.dokumen_job}/"),
    ]
    return {"pegawai": pegawai, "pejabat_penilai": atasan, "admin_instansi": admin, "hr_viewer": hr}
