"""Demo data of a tim kerja (issue #16), loaded by ``manage.py seed_demo`` after the year's activity:
the team (through ``kinerja.services.tim``) and, in each anggota's SKP of the year, one result cascaded
from the ketua's first utama result. Lives in ``skp`` because it writes SKP rows.

Idempotent: the team is looked up by name and year, an anggota who already has a result linked through
the team gets nothing new. A result added to an already approved SKP is written with its approval
snapshot (leader text and team label), as if it had been there when the SKP was approved."""

from django.db.models import Max

from kinerja.models import AnggotaTim, Instansi, Pegawai, TimKerja
from kinerja.services.tim import tim_create
from skp.models import Aspek, Indikator, JenisRhk, Rhk, Skp, SkpStatus


def _skp_tahun(*, pegawai_id: int, tahun: int) -> Skp | None:
    return (
        Skp.objects.filter(pegawai_id=pegawai_id, tahun=tahun)
        .exclude(status=SkpStatus.DIGANTI)
        .order_by("-periode_mulai", "-id")
        .first()
    )


def demo_tim_seed(
    *,
    instansi: Instansi,
    tahun: int,
    nama: str,
    ketua_nip: str,
    anggota: list[tuple[str, str]],
    admin_nip: str,
) -> int:
    """Create the team if missing and cascade each anggota's result; returns the rows written."""
    written = 0
    tim = TimKerja.objects.filter(instansi=instansi, tahun=tahun, nama=nama).select_related("ketua").first()
    if tim is None:
        admin = Pegawai.objects.select_related("user").get(instansi=instansi, nip=admin_nip)
        tim = tim_create(
            actor=admin.user,
            instansi=instansi,
            nama=nama,
            tahun=tahun,
            ketua=ketua_nip,
            anggota=[n for n, _ in anggota],
        )
        written += 1 + AnggotaTim.objects.filter(instansi=instansi, tim=tim).count()
    ketua_skp = _skp_tahun(pegawai_id=tim.ketua_id, tahun=tahun)
    kolom = (
        Rhk.objects.filter(instansi=instansi, skp=ketua_skp, jenis=JenisRhk.UTAMA)
        .order_by("urutan", "id")
        .first()
        if ketua_skp
        else None
    )
    if kolom is None:
        return written
    label = tim.label()
    by_nip = dict(
        Pegawai.objects.filter(instansi=instansi, nip__in=[n for n, _ in anggota]).values_list("nip", "pk")
    )
    for nip, teks in anggota:
        skp = _skp_tahun(pegawai_id=by_nip[nip], tahun=tahun) if nip in by_nip else None
        if skp is None or Rhk.objects.filter(instansi=instansi, skp=skp, tim_kerja=tim).exists():
            continue
        beku = skp.status == SkpStatus.DISETUJUI
        urutan = (Rhk.objects.filter(instansi=instansi, skp=skp).aggregate(m=Max("urutan"))["m"] or 0) + 1
        rhk = Rhk.objects.create(
            instansi=instansi,
            skp=skp,
            jenis=JenisRhk.UTAMA,
            rencana_hasil_kerja=teks,
            rhk_pimpinan=kolom,
            tim_kerja=tim,
            rhk_pimpinan_teks=kolom.rencana_hasil_kerja if beku else None,
            tim_kerja_teks=label if beku else None,
            urutan=urutan,
        )
        Indikator.objects.create(
            instansi=instansi, rhk=rhk, aspek=Aspek.KUANTITAS, iki="Jumlah sekolah sasaran yang terlayani",
            target="20 sekolah",
        )  # fmt: skip
        written += 2
    return written
