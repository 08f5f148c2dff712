"""Shared set-up of the tim kerja tests (issue #16): a ketua tim who is a JF outside the anggota's
reporting lines, and two anggota from two different units with two different Pejabat Penilai.

Everything is written through the real services; ``periode_ensure_year`` prepares the year's periods."""

from dataclasses import dataclass

from django_scopes import scope

from kinerja.models import Pegawai, TimKerja
from kinerja.models.org import JenisJabatan
from kinerja.services.tenancy import periode_ensure_year
from kinerja.services.tim import tim_create
from skp.models import Rhk, Skp
from skp.services import skp_approve, skp_create_draft, skp_rhk_add, skp_submit
from tests.conftest import Org
from tests.factories import JabatanFactory, PegawaiFactory, UnitKerjaFactory

IND = [{"aspek": "kuantitas", "iki": "Jumlah modul yang selesai", "target": "4 modul"}]


@dataclass
class TimWorld:
    org: Org
    tahun: int
    ketua: Pegawai  # JF in Bidang Perencanaan, atasan = kepala (not the anggota's superior)
    anggota1: Pegawai  # org.pegawai, Bidang Umum, Pejabat Penilai org.atasan
    kabid_ti: Pegawai  # Pejabat Penilai of anggota2
    anggota2: Pegawai  # Bidang TI


def build_tim_world(org: Org, tahun: int) -> TimWorld:
    with scope(instansi=org.instansi.pk):
        periode_ensure_year(instansi=org.instansi, tahun=tahun)
        top = org.kepala.unit_kerja
    i = org.instansi
    perencanaan = UnitKerjaFactory(instansi=i, nama=f"Bidang Perencanaan {i.kode}", induk=top)
    ti = UnitKerjaFactory(instansi=i, nama=f"Bidang Teknologi Informasi {i.kode}", induk=top)
    jf = JabatanFactory(instansi=i, nama="Pranata Komputer Ahli Madya", jenis=JenisJabatan.FUNGSIONAL)
    kabid = JabatanFactory(instansi=i, nama="Kepala Bidang TI", jenis=JenisJabatan.ADMINISTRATOR)
    pel = JabatanFactory(instansi=i, nama="Pengelola Sistem Informasi", jenis=JenisJabatan.PELAKSANA)
    ketua = PegawaiFactory(instansi=i, unit_kerja=perencanaan, jabatan=jf, atasan=org.kepala)
    kabid_ti = PegawaiFactory(instansi=i, unit_kerja=ti, jabatan=kabid, atasan=org.kepala)
    anggota2 = PegawaiFactory(instansi=i, unit_kerja=ti, jabatan=pel, atasan=kabid_ti)
    return TimWorld(org, tahun, ketua, org.pegawai, kabid_ti, anggota2)


def make_tim(
    w: TimWorld, nama: str = "Tim Transformasi Digital", anggota: list[Pegawai] | None = None
) -> TimKerja:
    with scope(instansi=w.org.instansi.pk):
        return tim_create(
            actor=w.org.admin.user,
            instansi=w.org.instansi,
            nama=nama,
            tahun=w.tahun,
            ketua=w.ketua.nip,
            anggota=[p.nip for p in (anggota if anggota is not None else [w.anggota1, w.anggota2])],
        )


def draft_with(
    pegawai: Pegawai, tahun: int, teks: list[str], pimpinan: Rhk | None = None
) -> tuple[Skp, list[Rhk]]:
    """The pegawai's draft SKP of ``tahun`` with one result per text (linked to ``pimpinan`` if given)."""
    with scope(instansi=pegawai.instansi_id):
        skp = Skp.objects.filter(pegawai=pegawai, tahun=tahun).first() or skp_create_draft(
            actor=pegawai.user, tahun=tahun
        )
        skp = Skp.objects.select_related("pegawai__jabatan").get(pk=skp.pk)
        rows = [
            skp_rhk_add(
                actor=pegawai.user,
                skp=skp,
                jenis="utama",
                rencana_hasil_kerja=t,
                indikator=IND,  # type: ignore[arg-type]
                rhk_pimpinan_id=pimpinan.pk if pimpinan else None,
            )
            for t in teks
        ]
        return skp, rows


def submit_approve(skp: Skp, by: Pegawai) -> Skp:
    with scope(instansi=skp.instansi_id):
        fresh = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(pk=skp.pk)
        skp_submit(actor=fresh.pegawai.user, skp=fresh)
        fresh = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(pk=skp.pk)
        return skp_approve(actor=by.user, skp=fresh)
