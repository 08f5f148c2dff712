"""Tim kerja writes (issue #16): create, rename or change the ketua, add and remove anggota.

Every function is atomic and audited, checks the actor (an admin of the instansi, a Pejabat Penilai
for creating, the creator or an admin for managing) and validates every NIP against the actor's
instansi: a NIP of another instansi is "not found" like an unknown one (nothing is revealed)."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError, Conflict, NotFoundOrForbidden
from kinerja.models import AnggotaTim, Instansi, Pegawai, Periode, TimKerja, User
from kinerja.selectors.people import roles_of
from kinerja.selectors.tim import tim_boleh_buat, tim_boleh_kelola
from kinerja.services.audit import audit_log

MAX_NAMA = 255
MAX_ANGGOTA = 200


def _nip_bersih(value: object) -> str:
    return str(value or "").strip()


def _pegawai_by_nip(*, instansi: Instansi, nips: Iterable[str]) -> dict[str, Pegawai]:
    """Active pegawai of ``instansi`` with these NIPs: one query."""
    wanted = [n for n in nips if n]
    if not wanted:
        return {}
    return {
        p.nip: p
        for p in Pegawai.objects.filter(instansi=instansi, nip__in=wanted, aktif=True).select_related(
            "unit_kerja"
        )
    }


def _tanggal_dalam_tahun(tahun: int, tanggal: dt.date | None = None) -> dt.date:
    """``tanggal`` (default today) kept inside the team's year."""
    day = tanggal or timezone.localdate()
    return min(max(day, dt.date(tahun, 1, 1)), dt.date(tahun, 12, 31))


def _cek_nama(errors: dict[str, list[str]], nama: str) -> str:
    nama = (nama or "").strip()
    if not nama:
        errors["nama"] = [_('Nama tim wajib diisi, misalnya "Tim Transformasi Digital".')]
    elif len(nama) > MAX_NAMA:
        errors["nama"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_NAMA}]
    return nama


def _cek_ketua(
    errors: dict[str, list[str]], *, instansi: Instansi, nip: str, ditemukan: dict[str, Pegawai]
) -> Pegawai | None:
    if not nip:
        errors["ketua"] = [_("Pilih ketua tim (NIP pegawai instansi ini).")]
        return None
    ketua = ditemukan.get(nip)
    if ketua is None:
        errors["ketua"] = [
            _("NIP %(nip)s tidak ditemukan di antara pegawai aktif instansi ini.") % {"nip": nip}
        ]
    return ketua


def _cek_anggota(
    errors: dict[str, list[str]],
    *,
    nips: list[str],
    ketua_nip: str,
    ditemukan: dict[str, Pegawai],
) -> list[Pegawai]:
    pesan: list[str] = []
    dilihat: set[str] = set()
    out: list[Pegawai] = []
    if len(nips) > MAX_ANGGOTA:
        errors["anggota"] = [_("Paling banyak %(n)d anggota sekaligus.") % {"n": MAX_ANGGOTA}]
        return []
    for nip in nips:
        if not nip:
            pesan.append(_("Ada NIP anggota yang kosong."))
            continue
        if nip in dilihat:
            pesan.append(_("NIP %(nip)s tercantum lebih dari sekali.") % {"nip": nip})
            continue
        dilihat.add(nip)
        if nip == ketua_nip:
            pesan.append(
                _("NIP %(nip)s adalah ketua tim; ketua tidak dicantumkan sebagai anggota.") % {"nip": nip}
            )
            continue
        p = ditemukan.get(nip)
        if p is None:
            pesan.append(
                _("NIP %(nip)s tidak ditemukan di antara pegawai aktif instansi ini.") % {"nip": nip}
            )
            continue
        out.append(p)
    if pesan:
        errors["anggota"] = pesan
    return out


def _wajib_boleh_kelola(*, actor: User, tim: TimKerja) -> None:
    roles = roles_of(user=actor, instansi=tim.instansi)
    if not tim_boleh_kelola(user=actor, tim=tim, roles=roles):
        raise NotFoundOrForbidden()


@transaction.atomic
def tim_create(
    *, actor: User, instansi: Instansi, nama: str, tahun: int, ketua: str, anggota: list[str]
) -> TimKerja:
    """An admin of the instansi or a Pejabat Penilai creates a team of ``tahun`` with its ketua and
    anggota (NIPs of the instansi's active pegawai; membership starts today, or on 1 January for a
    future year). A year without evaluation periods, an unknown NIP (or one of another instansi), an
    anggota twice or the ketua as anggota: 400 with field errors, nothing written. Audited."""
    if not tim_boleh_buat(roles=roles_of(user=actor, instansi=instansi)):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    nama = _cek_nama(errors, nama)
    if not isinstance(tahun, int) or not 2000 <= tahun <= 2100:
        errors["tahun"] = [_("Tahun harus antara 2000 dan 2100.")]
    elif not Periode.objects.filter(instansi=instansi, tahun=tahun).exists():
        errors["tahun"] = [
            _(
                "Belum ada periode penilaian untuk tahun %(tahun)s. Tim kerja dibentuk untuk tahun yang "
                "periodenya sudah disiapkan admin."
            )
            % {"tahun": tahun}
        ]
    ketua_nip = _nip_bersih(ketua)
    nips = [_nip_bersih(n) for n in (anggota or [])]
    ditemukan = _pegawai_by_nip(instansi=instansi, nips=[ketua_nip, *nips])
    ketua_p = _cek_ketua(errors, instansi=instansi, nip=ketua_nip, ditemukan=ditemukan)
    anggota_p = _cek_anggota(errors, nips=nips, ketua_nip=ketua_nip, ditemukan=ditemukan)
    if (
        "nama" not in errors
        and "tahun" not in errors
        and TimKerja.objects.filter(instansi=instansi, tahun=tahun, nama__iexact=nama).exists()
    ):
        errors["nama"] = [_("Nama tim ini sudah dipakai untuk tahun %(tahun)s.") % {"tahun": tahun}]
    if errors or ketua_p is None:
        raise ApplicationError(_("Tim kerja belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    try:
        with transaction.atomic():
            tim = TimKerja.objects.create(
                instansi=instansi, nama=nama, tahun=tahun, ketua=ketua_p, dibuat_oleh=actor
            )
    except IntegrityError:  # the same name created at the same moment in another tab
        raise ApplicationError(
            _("Tim kerja belum tersimpan. Periksa isian yang ditandai."),
            errors={"nama": [_("Nama tim ini sudah dipakai untuk tahun %(tahun)s.") % {"tahun": tahun}]},
        ) from None
    mulai = _tanggal_dalam_tahun(tahun)
    AnggotaTim.objects.bulk_create(
        [
            AnggotaTim(instansi=instansi, tim=tim, pegawai=p, mulai=mulai, ditambah_oleh=actor)
            for p in anggota_p
        ]
    )
    audit_log(
        actor=actor,
        instansi=instansi,
        action="tim_kerja.buat",
        obj=tim,
        after={"nama": nama, "tahun": tahun, "ketua": ketua_nip, "anggota": [p.nip for p in anggota_p]},
    )
    return tim


def _lock(tim: TimKerja, versi: int | None) -> TimKerja:
    locked = TimKerja.objects.select_for_update(of=("self",)).select_related("ketua").get(pk=tim.pk)
    if versi is not None and locked.versi != versi:
        raise Conflict(_("Tim ini telah diubah di tab atau perangkat lain. Muat ulang halaman."))
    return locked


def _naik_versi(tim: TimKerja) -> None:
    TimKerja.objects.filter(pk=tim.pk).update(versi=F("versi") + 1, updated_at=timezone.now())
    tim.versi += 1


@transaction.atomic
def tim_update(
    *, actor: User, tim: TimKerja, nama: str | None = None, ketua: str | None = None, versi: int | None = None
) -> TimKerja:
    """Rename the team or change its ketua (a current anggota who becomes ketua leaves the anggota
    that day). Results already cascaded keep their link; approved SKPs keep the label they were
    approved with. Audited."""
    _wajib_boleh_kelola(actor=actor, tim=tim)
    locked = _lock(tim, versi)
    errors: dict[str, list[str]] = {}
    before = {"nama": locked.nama, "ketua": locked.ketua.nip}
    fields: list[str] = []
    if nama is not None:
        nama = _cek_nama(errors, nama)
        if (
            "nama" not in errors
            and TimKerja.objects.filter(instansi_id=locked.instansi_id, tahun=locked.tahun, nama__iexact=nama)
            .exclude(pk=locked.pk)
            .exists()
        ):
            errors["nama"] = [
                _("Nama tim ini sudah dipakai untuk tahun %(tahun)s.") % {"tahun": locked.tahun}
            ]
        locked.nama = nama
        fields.append("nama")
    ketua_baru = None
    if ketua is not None:
        nip = _nip_bersih(ketua)
        ketua_baru = _cek_ketua(
            errors,
            instansi=locked.instansi,
            nip=nip,
            ditemukan=_pegawai_by_nip(instansi=locked.instansi, nips=[nip]),
        )
    if errors:
        raise ApplicationError(_("Tim kerja belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    if ketua_baru is not None and ketua_baru.pk != locked.ketua_id:
        AnggotaTim.objects.filter(
            instansi_id=locked.instansi_id, tim=locked, pegawai=ketua_baru, selesai__isnull=True
        ).update(selesai=_tanggal_dalam_tahun(locked.tahun), dikeluarkan_oleh=actor)
        locked.ketua = ketua_baru
        fields.append("ketua")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
        _naik_versi(locked)
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="tim_kerja.ubah",
        obj=locked,
        before=before,
        after={"nama": locked.nama, "ketua": locked.ketua.nip},
    )
    return locked


@transaction.atomic
def tim_anggota_add(
    *, actor: User, tim: TimKerja, anggota: list[str], mulai: dt.date | None = None, versi: int | None = None
) -> list[AnggotaTim]:
    """Add anggota (NIPs) from ``mulai`` (default today, kept inside the team's year). Someone who is
    already a current anggota, the ketua, a NIP twice or unknown: 400 with ``errors.anggota``. Someone
    who left earlier gets a new membership row (the old one stays as history). Audited."""
    _wajib_boleh_kelola(actor=actor, tim=tim)
    locked = _lock(tim, versi)
    errors: dict[str, list[str]] = {}
    nips = [_nip_bersih(n) for n in (anggota or [])]
    if not nips:
        errors["anggota"] = [_("Pilih minimal satu pegawai yang akan ditambahkan.")]
    ditemukan = _pegawai_by_nip(instansi=locked.instansi, nips=nips)
    baru = _cek_anggota(errors, nips=nips, ketua_nip=locked.ketua.nip, ditemukan=ditemukan)
    sudah = set(
        AnggotaTim.objects.filter(
            instansi_id=locked.instansi_id, tim=locked, selesai__isnull=True, pegawai__in=[p.pk for p in baru]
        ).values_list("pegawai__nip", flat=True)
    )
    if sudah:
        errors.setdefault("anggota", []).extend(
            _("%(nama)s (NIP %(nip)s) sudah menjadi anggota tim ini.") % {"nama": ditemukan[n].nama, "nip": n}
            for n in sorted(sudah)
        )
    if errors:
        raise ApplicationError(_("Anggota belum ditambahkan. Periksa isian yang ditandai."), errors=errors)
    tanggal = _tanggal_dalam_tahun(locked.tahun, mulai)
    rows = AnggotaTim.objects.bulk_create(
        [
            AnggotaTim(
                instansi_id=locked.instansi_id, tim=locked, pegawai=p, mulai=tanggal, ditambah_oleh=actor
            )
            for p in baru
        ]
    )
    _naik_versi(locked)
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="tim_kerja.anggota_tambah",
        obj=locked,
        after={"anggota": [p.nip for p in baru], "mulai": tanggal.isoformat()},
    )
    return rows


@transaction.atomic
def tim_anggota_remove(
    *, actor: User, tim: TimKerja, nip: str, selesai: dt.date | None = None, versi: int | None = None
) -> AnggotaTim:
    """End a current anggota's membership on ``selesai`` (default today). The row stays (history); the
    anggota's results already cascaded keep their link, and approved SKPs their frozen label. Someone
    who is not a current anggota: 404. Audited."""
    _wajib_boleh_kelola(actor=actor, tim=tim)
    locked = _lock(tim, versi)
    row = (
        AnggotaTim.objects.filter(
            instansi_id=locked.instansi_id, tim=locked, selesai__isnull=True, pegawai__nip=_nip_bersih(nip)
        )
        .select_related("pegawai")
        .first()
    )
    if row is None:
        raise NotFoundOrForbidden(_("Pegawai ini bukan anggota aktif tim tersebut."))
    if selesai is not None and selesai < row.mulai:
        raise ApplicationError(
            _("Anggota belum dikeluarkan. Periksa isian yang ditandai."),
            errors={"selesai": [_("Tanggal keluar tidak boleh sebelum tanggal mulai keanggotaan.")]},
        )
    tanggal = max(_tanggal_dalam_tahun(locked.tahun, selesai), row.mulai)
    row.selesai = tanggal
    row.dikeluarkan_oleh = actor
    row.save(update_fields=["selesai", "dikeluarkan_oleh", "updated_at"])
    _naik_versi(locked)
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="tim_kerja.anggota_keluar",
        obj=locked,
        after={"anggota": row.pegawai.nip, "selesai": tanggal.isoformat()},
    )
    return row


__all__ = ["tim_anggota_add", "tim_anggota_remove", "tim_create", "tim_update"]
