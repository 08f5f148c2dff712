"""Log harian (daily work log) writes: a pegawai records, corrects and removes their own entries; their Pejabat Penilai
accepts or rejects many at once; the periodic reminder for pegawai who logged nothing.

Rules come from ``dialog.log_harian_rules`` (pure). The day's 1,440-minute cap holds under concurrency:
every write of a pegawai's entries first takes a transaction-scoped advisory lock on that pegawai, so
two requests for the same day are serialised and the second one sees the first one's minutes.
"""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog import bukti as bukti_files
from dialog import log_harian_rules as rules
from dialog.log_harian_selectors import log_harian_menit_hari, pengaturan_log_harian
from dialog.models import JenisNotifikasi, LogHarian, PengaturanLogHarian, RencanaAksi, StatusLog
from dialog.services.notifikasi import notifikasi_create_bulk
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, User
from kinerja.models.tenancy import Role
from kinerja.selectors.people import pegawai_dinilai_ids
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of
from skp.models import Rhk, SkpStatus

MAX_TEXT = 4000
_LOCK_NAMESPACE = 0x4C4F47  # "LOG": the first key of pg_advisory_xact_lock(int, int)
BERKAS_DITERIMA = {bukti_files.PDF.mime, bukti_files.PNG.mime, bukti_files.JPEG.mime}


def _lock_pegawai_day(pegawai_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, pegawai_id % 2_147_483_647])


def _own(actor: User, instansi: Instansi) -> Pegawai:
    own = pegawai_of(actor)
    if own is None or own.instansi_id != instansi.pk:
        raise NotFoundOrForbidden()
    return own


def _aktif(instansi: Instansi) -> int:
    """The lock days of an instansi that uses the log; 409 when it switched the log off."""
    p = pengaturan_log_harian(instansi=instansi)
    if not p.aktif:
        raise InvalidTransition(_("Log harian tidak dipakai di instansi ini."))
    return p.hari_kunci


def _berkas(errors: dict[str, list[str]], berkas: UploadedFile | None) -> bukti_files.JenisBerkas | None:
    """PDF, JPEG or PNG up to 10 MB, decided by the content (``dialog.bukti.sniff``)."""
    if berkas is None:
        return None
    try:
        jenis = bukti_files.sniff(berkas, size=berkas.size)
    except ApplicationError as exc:
        errors["berkas"] = exc.errors.get("berkas") or [exc.message]
        return None
    if jenis.mime not in BERKAS_DITERIMA:
        errors["berkas"] = [
            _("Bukti log harian hanya PDF, JPEG, atau PNG (berkas ini %(jenis)s).") % {"jenis": jenis.label}
        ]
        return None
    return jenis


def _tautan(errors: dict[str, list[str]], tautan: str | None) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    tautan = (tautan or "").strip()
    if not tautan:
        return ""
    try:
        if len(tautan) > 2000:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(tautan)
    except ValidationError:
        errors["tautan"] = [_("Tautan harus alamat web lengkap yang diawali http:// atau https://.")]
    return tautan


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tanggal(errors: dict[str, list[str]], value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors["tanggal"] = [_("Tanggal tidak valid (format TTTT-BB-HH).")]
        return None


def _validate(
    *,
    own: Pegawai,
    instansi: Instansi,
    hari_kunci: int,
    tanggal: Any,
    rhk_id: Any,
    rencana_aksi_id: Any,
    uraian: str,
    durasi_menit: Any,
    tautan: str | None,
    berkas: UploadedFile | None,
    kecuali: int | None = None,
) -> dict[str, Any]:
    """Every check of one entry; raises ``ApplicationError`` with all field errors at once."""
    errors: dict[str, list[str]] = {}
    tgl = _tanggal(errors, tanggal)
    pk = _as_int(rhk_id)
    rhk = (
        Rhk.objects.filter(instansi=instansi, pk=pk).select_related("skp").first() if pk is not None else None
    )
    milik = rhk is not None and rhk.skp.pegawai_id == own.pk
    if milik and rhk is not None and rhk.skp.status != SkpStatus.DISETUJUI:
        errors["rhk"] = [_("SKP dari hasil kerja ini belum disetujui.")]
    ra = None
    if rencana_aksi_id not in (None, ""):
        ra_pk = _as_int(rencana_aksi_id)
        ra = RencanaAksi.objects.filter(instansi=instansi, pk=ra_pk).first() if ra_pk is not None else None
        if ra is None or rhk is None or ra.rhk_id != rhk.pk:
            errors["rencana_aksi"] = [_("Rencana aksi harus milik hasil kerja (RHK) yang dipilih.")]
            ra = None
    teks = (uraian or "").strip()
    if not teks:
        errors["uraian"] = [_("Uraian kegiatan wajib diisi.")]
    elif len(teks) > MAX_TEXT:
        errors["uraian"] = [_("Uraian paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
    durasi = _as_int(durasi_menit)
    if durasi is None:
        errors["durasi_menit"] = [_("Durasi wajib diisi dalam menit (angka).")]
    url = _tautan(errors, tautan)
    jenis = _berkas(errors, berkas)
    if tgl is not None and durasi is not None:
        lain = log_harian_menit_hari(instansi_id=instansi.pk, pegawai_id=own.pk, tanggal=tgl, kecuali=kecuali)
        fakta = rules.FaktaLog(
            tanggal=tgl,
            hari_ini=timezone.localdate(),
            durasi_menit=durasi,
            menit_lain_hari_itu=lain,
            rhk_milik_sendiri=milik,
            skp_mulai=rhk.skp.periode_mulai if milik and rhk is not None else None,
            skp_selesai=rhk.skp.periode_selesai if milik and rhk is not None else None,
            hari_kunci=hari_kunci,
        )
        for key, msgs in rules.periksa(fakta).items():
            errors.setdefault(key, msgs)
    elif not milik:
        errors.setdefault("rhk", [_("Pilih hasil kerja (RHK) dari SKP Anda sendiri.")])
    if errors:
        raise ApplicationError(_("Log harian belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    if rhk is None or tgl is None or durasi is None:  # narrowed by the checks above
        raise ApplicationError(_("Log harian belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    return {
        "tanggal": tgl,
        "rhk": rhk,
        "skp_id": rhk.skp_id,
        "rencana_aksi": ra,
        "uraian": teks,
        "durasi_menit": durasi,
        "tautan": url,
        "jenis_berkas": jenis,
    }


def _simpan_berkas(log: LogHarian, berkas: UploadedFile, jenis: bukti_files.JenisBerkas) -> None:
    if log.berkas:
        log.berkas.delete(save=False)
    log.sha256 = bukti_files.sha256_of(berkas)
    log.tipe_konten = jenis.mime
    log.ukuran = berkas.size or 0
    log.nama_berkas = bukti_files.nama_tampilan(berkas.name or "", jenis)
    log.berkas.save(f"bukti{jenis.ext}", berkas, save=False)


@transaction.atomic
def log_harian_create(
    *,
    actor: User,
    instansi: Instansi,
    tanggal: Any,
    rhk_id: Any,
    uraian: str,
    durasi_menit: Any,
    rencana_aksi_id: Any = None,
    tautan: str | None = "",
    berkas: UploadedFile | None = None,
) -> LogHarian:
    """The pegawai records one activity of one day; it starts ``menunggu`` (waiting for their Pejabat
    Penilai). 400 with every field error (contract §7); 409 when the instansi switched the log off."""
    own = _own(actor, instansi)
    hari_kunci = _aktif(instansi)
    _lock_pegawai_day(own.pk)
    v = _validate(
        own=own,
        instansi=instansi,
        hari_kunci=hari_kunci,
        tanggal=tanggal,
        rhk_id=rhk_id,
        rencana_aksi_id=rencana_aksi_id,
        uraian=uraian,
        durasi_menit=durasi_menit,
        tautan=tautan,
        berkas=berkas,
    )
    log = LogHarian(
        instansi=instansi,
        pegawai=own,
        skp_id=v["skp_id"],
        rhk=v["rhk"],
        rencana_aksi=v["rencana_aksi"],
        tanggal=v["tanggal"],
        uraian=v["uraian"],
        durasi_menit=v["durasi_menit"],
        tautan=v["tautan"],
        status=StatusLog.MENUNGGU,
    )
    if berkas is not None and v["jenis_berkas"] is not None:
        _simpan_berkas(log, berkas, v["jenis_berkas"])
    log.save()
    audit_log(
        actor=actor,
        instansi=instansi,
        action="dialog.log_harian_tambah",
        obj=log,
        after={"tanggal": str(log.tanggal), "rhk": log.rhk_id, "durasi_menit": log.durasi_menit},
    )
    return log


_BISA_DIUBAH = {StatusLog.MENUNGGU, StatusLog.DITOLAK}


@transaction.atomic
def log_harian_update(
    *,
    actor: User,
    instansi: Instansi,
    log: LogHarian,
    data: dict[str, Any],
    berkas: UploadedFile | None = None,
    hapus_berkas: bool = False,
) -> LogHarian:
    """The owner corrects an entry that is ``menunggu`` or ``ditolak``; a rejected one goes back to
    ``menunggu`` (resubmitted). ``data`` holds only the fields to change. An accepted entry → 409."""
    own = _own(actor, instansi)
    if log.pegawai_id != own.pk:
        raise NotFoundOrForbidden()
    hari_kunci = _aktif(instansi)
    _lock_pegawai_day(own.pk)
    log = LogHarian.objects.select_for_update().get(instansi=instansi, pk=log.pk)
    if log.status not in _BISA_DIUBAH:
        raise InvalidTransition(_("Log yang sudah diterima tidak bisa diubah."))
    v = _validate(
        own=own,
        instansi=instansi,
        hari_kunci=hari_kunci,
        tanggal=data.get("tanggal", log.tanggal),
        rhk_id=data.get("rhk", log.rhk_id),
        rencana_aksi_id=data.get("rencana_aksi", log.rencana_aksi_id),
        uraian=data.get("uraian", log.uraian),
        durasi_menit=data.get("durasi_menit", log.durasi_menit),
        tautan=data.get("tautan", log.tautan),
        berkas=berkas,
        kecuali=log.pk,
    )
    before = {"status": log.status, "tanggal": str(log.tanggal), "durasi_menit": log.durasi_menit}
    log.tanggal = v["tanggal"]
    log.rhk = v["rhk"]
    log.skp_id = v["skp_id"]
    log.rencana_aksi = v["rencana_aksi"]
    log.uraian = v["uraian"]
    log.durasi_menit = v["durasi_menit"]
    log.tautan = v["tautan"]
    if berkas is not None and v["jenis_berkas"] is not None:
        _simpan_berkas(log, berkas, v["jenis_berkas"])
    elif hapus_berkas and log.berkas:
        log.berkas.delete(save=False)
        log.berkas = ""
        log.nama_berkas = log.tipe_konten = log.sha256 = ""
        log.ukuran = 0
    if log.status == StatusLog.DITOLAK:
        log.status = StatusLog.MENUNGGU
    log.save()
    audit_log(
        actor=actor,
        instansi=instansi,
        action="dialog.log_harian_ubah",
        obj=log,
        before=before,
        after={"status": log.status, "tanggal": str(log.tanggal), "durasi_menit": log.durasi_menit},
    )
    return log


@transaction.atomic
def log_harian_delete(*, actor: User, instansi: Instansi, log: LogHarian) -> None:
    """The owner removes an entry that is ``menunggu`` or ``ditolak`` (an accepted one → 409)."""
    own = _own(actor, instansi)
    if log.pegawai_id != own.pk:
        raise NotFoundOrForbidden()
    log = LogHarian.objects.select_for_update().get(instansi=instansi, pk=log.pk)
    if log.status not in _BISA_DIUBAH:
        raise InvalidTransition(_("Log yang sudah diterima tidak bisa dihapus."))
    if log.berkas:
        transaction.on_commit(partial_delete(log.berkas.storage, log.berkas.name or ""))
    audit_log(actor=actor, instansi=instansi, action="dialog.log_harian_hapus", obj=log)
    log.delete()


def partial_delete(storage: Any, name: str) -> Any:
    return lambda: storage.delete(name)


@transaction.atomic
def log_harian_verify(
    *, actor: User, instansi: Instansi, ids: list[int], status: str, catatan: str = ""
) -> int:
    """The Pejabat Penilai accepts or rejects many entries of the pegawai they appraise, in one
    transaction. An id that is missing, of another instansi or of someone they do not appraise → 404 and
    nothing changes. A rejection needs a note. Returns how many entries changed (status or note).
    The rejected pegawai get one notification each (so they can correct and resubmit)."""
    if status not in (StatusLog.DITERIMA, StatusLog.DITOLAK):
        raise ApplicationError(
            _("Status harus diterima atau ditolak."), errors={"status": [_("Pilih diterima atau ditolak.")]}
        )
    catatan = (catatan or "").strip()
    if status == StatusLog.DITOLAK and not catatan:
        raise ApplicationError(
            _("Catatan wajib diisi saat menolak log."),
            errors={"catatan": [_("Tulis alasan penolakan agar pegawai bisa memperbaikinya.")]},
        )
    if len(catatan) > MAX_TEXT:
        raise ApplicationError(
            _("Catatan terlalu panjang."),
            errors={"catatan": [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]},
        )
    wanted = sorted({i for i in (_as_int(x) for x in ids) if i is not None})
    if not wanted or len(wanted) != len(ids):
        raise ApplicationError(
            _("Pilih log yang akan diverifikasi."), errors={"ids": [_("Daftar id tidak valid.")]}
        )
    rows = list(
        LogHarian.objects.filter(instansi=instansi, pk__in=wanted)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "pegawai_id", "status", "catatan_verifikasi")
    )
    boleh = set(pegawai_dinilai_ids(user=actor, instansi=instansi))
    if len(rows) != len(wanted) or any(p not in boleh for _pk, p, _s, _c in rows):
        raise NotFoundOrForbidden()
    catatan_baru = catatan
    ubah = [pk for pk, _p, s, c in rows if s != status or c != catatan_baru]
    if not ubah:
        return 0
    now = timezone.now()
    n = LogHarian.objects.filter(instansi=instansi, pk__in=ubah).update(
        status=status, catatan_verifikasi=catatan_baru, verified_by=actor, verified_at=now, updated_at=now
    )
    audit_log(
        actor=actor,
        instansi=instansi,
        action="dialog.log_harian_verifikasi",
        object_type="dialog.logharian",
        object_id=",".join(str(i) for i in ubah[:50]),
        object_repr=f"{n} log → {status}",
        after={"ids": ubah, "status": status, "catatan": catatan_baru},
    )
    if status == StatusLog.DITOLAK:
        ditolak = sorted({p for pk, p, _s, _c in rows if pk in set(ubah)})
        notifikasi_create_bulk(
            instansi=instansi,
            pegawai_ids=ditolak,
            jenis=JenisNotifikasi.LOG_HARIAN_DIVERIFIKASI,
            judul=_("Sebagian log harian Anda ditolak; perbaiki lalu kirim ulang"),
            pesan=catatan_baru,
            tautan=reverse("dialog:log-harian") + "?status=ditolak",
        )
    return n


@transaction.atomic
def log_harian_pengingat(*, instansi: Instansi, today: dt.date | None = None) -> int:
    """Reminders for pegawai who logged nothing in the last N working days (per-instansi setting, off by
    default). Set-based: one query finds them (active pegawai with an approved SKP covering today and no
    entry in the window), one INSERT writes the notifications; idempotent through ``kunci`` (one per
    pegawai per day). Returns the number of notifications written."""
    p = pengaturan_log_harian(instansi=instansi)
    if not p.aktif or not p.pengingat_aktif or p.pengingat_hari_kerja < 1:
        return 0
    today = today or timezone.localdate()
    hari = rules.hari_kerja_terakhir(today, p.pengingat_hari_kerja)
    from skp.models import Skp

    sql = f"""
        SELECT p.id FROM {Pegawai._meta.db_table} p
        WHERE p.instansi_id = %(instansi)s AND p.aktif AND p.user_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM {Skp._meta.db_table} s WHERE s.instansi_id = p.instansi_id
                      AND s.pegawai_id = p.id AND s.status = %(disetujui)s
                      AND s.periode_mulai <= %(dari)s AND s.periode_selesai >= %(today)s)
          AND NOT EXISTS (SELECT 1 FROM {LogHarian._meta.db_table} l WHERE l.instansi_id = p.instansi_id
                          AND l.pegawai_id = p.id AND l.tanggal >= %(dari)s AND l.tanggal < %(today)s)
        ORDER BY p.id
    """  # noqa: S608 - only the models' table names are interpolated
    with connection.cursor() as cur:
        cur.execute(
            sql, {"instansi": instansi.pk, "disetujui": SkpStatus.DISETUJUI, "dari": hari[0], "today": today}
        )
        ids = [r[0] for r in cur.fetchall()]
    if not ids:
        return 0
    return notifikasi_create_bulk(
        instansi=instansi,
        pegawai_ids=ids,
        jenis=JenisNotifikasi.PENGINGAT_LOG_HARIAN,
        judul=_("Anda belum mengisi log harian selama %(n)d hari kerja") % {"n": p.pengingat_hari_kerja},
        tautan=reverse("dialog:log-harian"),
        kunci=f"pengingat_log_harian:{today.isoformat()}",
    )


HARI_KUNCI_MAKS = 60  # lock at most two months after the month's end
PENGINGAT_HARI_MAKS = 20  # a working month


@transaction.atomic
def log_harian_pengaturan_set(
    *,
    actor: User,
    roles: list[str],
    instansi: Instansi,
    aktif: bool,
    hari_kunci: int,
    pengingat_aktif: bool,
    pengingat_hari_kerja: int,
) -> PengaturanLogHarian:
    """admin_instansi sets the instansi's daily-log settings (domain.md "Daily log": optional per instansi;
    lock date configurable, default 5 days after the month ends; reminders configurable, off by default).
    Others: 404. Out-of-range numbers: 400 with field messages, nothing written. Audited (before/after)."""
    if not {Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN} & set(roles):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    if not 0 <= hari_kunci <= HARI_KUNCI_MAKS:
        errors["hari_kunci"] = [
            _("Isi antara 0 dan %(maks)d hari setelah akhir bulan.") % {"maks": HARI_KUNCI_MAKS}
        ]
    if not 1 <= pengingat_hari_kerja <= PENGINGAT_HARI_MAKS:
        errors["pengingat_hari_kerja"] = [
            _("Isi antara 1 dan %(maks)d hari kerja.") % {"maks": PENGINGAT_HARI_MAKS}
        ]
    if errors:
        raise ApplicationError(_("Pengaturan log harian belum tersimpan."), errors=errors)
    obj, _created = PengaturanLogHarian.objects.select_for_update().get_or_create(
        instansi=instansi, defaults={"hari_kunci": rules.HARI_KUNCI_DEFAULT}
    )
    fields = ["aktif", "hari_kunci", "pengingat_aktif", "pengingat_hari_kerja"]
    before = {f: getattr(obj, f) for f in fields}
    obj.aktif, obj.hari_kunci = aktif, hari_kunci
    obj.pengingat_aktif, obj.pengingat_hari_kerja = pengingat_aktif, pengingat_hari_kerja
    obj.save(update_fields=[*fields, "updated_at"])
    audit_log(
        actor=actor, instansi=instansi, action="log_harian.pengaturan", obj=obj, before=before,
        after={f: getattr(obj, f) for f in fields},
    )  # fmt: skip
    return obj
