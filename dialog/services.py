"""Dialog writes: documentation (rencana aksi, realisasi, bukti dukung), umpan balik with threads and
requests, dialog/bimbingan/konseling records, penugasan, notifications, reminders and digests.

Every public function is keyword-only, atomic, checks the actor and writes an audit row (and a timeline
row where the pegawai would want to see it) in the same transaction. Emails leave only after commit, as
Celery tasks that take ids. Objects arrive resolved through ``dialog.access`` (404 for missing/other
instansi); ids that are *fields* of the input (periode, rhk, indikator) are validated here (400).
"""

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from dialog import bukti as bukti_files
from dialog.models import (
    CORE_VALUE_KODES,
    PERM_UMPAN_BALIK_PENUGASAN,
    Aktivitas,
    BalasanUmpanBalik,
    BuktiDukung,
    CatatanKinerja,
    DigestHarian,
    JawabanB18,
    JawabanBimbingan,
    JenisBukti,
    JenisCatatan,
    JenisNotifikasi,
    KompetensiB19,
    ModeEmail,
    Notifikasi,
    PenilaianKompetensi,
    Penugasan,
    PeranPemberi,
    PermintaanUmpanBalik,
    PreferensiNotifikasi,
    Realisasi,
    RencanaAksi,
    SifatUmpanBalik,
    StatusEmail,
    StatusPenugasan,
    StatusPermintaan,
    StatusTindakLanjut,
    TindakLanjut,
    UmpanBalik,
    UmpanBalikDibaca,
)
from dialog.selectors import (
    is_pimpinan_of,
    kandidat_pemberi,
    kompetensi_b19_current,
    penugasan_izin_untuk,
    peran_pemberi_untuk,
    pernyataan_b18_current,
    skp_for_penugasan,
)
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden, ReadOnly
from kinerja.models import Instansi, Pegawai, Periode, User
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of
from skp.models import Aspek, Indikator, JenisRhk, Rhk, Skp, SkpStatus
from skp.selectors import Dependan

MAX_TEXT = 4000
MAX_BUKTI_PER_REALISASI = 20
_http_url = URLValidator(schemes=["http", "https"])
_PERAN_LABEL = dict(PeranPemberi.choices)


# ---------------------------------------------------------------- helpers


def _own(actor: User) -> Pegawai:
    own = pegawai_of(actor)
    if own is None:
        raise NotFoundOrForbidden()
    return own


def _teks(errors: dict[str, list[str]], key: str, value: str | None, *, wajib: bool, label: str) -> str:
    value = (value or "").strip()
    if wajib and not value:
        errors[key] = [_("%(label)s wajib diisi.") % {"label": label}]
    elif len(value) > MAX_TEXT:
        errors[key] = [_("%(label)s paling banyak %(n)d karakter.") % {"label": label, "n": MAX_TEXT}]
    return value


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _periode_for(errors: dict[str, list[str]], *, skp: Skp, periode_id: Any) -> Periode | None:
    """The periode (of the instansi) that overlaps the SKP's stint, or a field error."""
    pk = _as_int(periode_id)
    periode = Periode.objects.filter(instansi_id=skp.instansi_id, pk=pk).first() if pk is not None else None
    if periode is None:
        errors["periode"] = [_("Periode tidak ditemukan.")]
        return None
    if periode.mulai > skp.periode_selesai or periode.selesai < skp.periode_mulai:
        errors["periode"] = [
            _("Periode harus berada dalam masa SKP (%(mulai)s s.d. %(selesai)s).")
            % {"mulai": f"{skp.periode_mulai:%d-%m-%Y}", "selesai": f"{skp.periode_selesai:%d-%m-%Y}"}
        ]
        return None
    return periode


def _rhk_for(errors: dict[str, list[str]], *, skp: Skp, rhk_id: Any) -> Rhk | None:
    if rhk_id in (None, ""):
        return None
    pk = _as_int(rhk_id)
    rhk = Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp, pk=pk).first() if pk is not None else None
    if rhk is None:
        errors["rhk"] = [_("Hasil kerja ini tidak termasuk dalam SKP tersebut.")]
    return rhk


def _core_value(errors: dict[str, list[str]], value: str | None) -> str:
    value = (value or "").strip()
    if value and value not in CORE_VALUE_KODES:
        errors["core_value"] = [
            _("Pilih salah satu core value BerAKHLAK: %(kode)s.") % {"kode": ", ".join(CORE_VALUE_KODES)}
        ]
    return value


def _aktivitas(
    *,
    instansi_id: int,
    pegawai_id: int,
    aktor: User | None,
    jenis: str,
    ringkasan: str = "",
    objek: Any = None,
    skp_id: int | None = None,
) -> None:
    Aktivitas.objects.create(
        instansi_id=instansi_id,
        pegawai_id=pegawai_id,
        aktor=aktor,
        jenis=jenis,
        ringkasan=ringkasan[:500],
        objek_tipe=objek._meta.model_name if objek is not None else "",
        objek_id=objek.pk if objek is not None else None,
        skp_id=skp_id,
    )


def _url_umpan_balik(skp_id: int, ub_id: int | None = None) -> str:
    url = reverse("dialog:umpan-balik-skp", args=[skp_id])
    return f"{url}#ub-{ub_id}" if ub_id else url


# ---------------------------------------------------------------- notifications


def _email_of(user: User) -> str:
    if user.email:
        return user.email
    own = pegawai_of(user)
    return own.email if own is not None else ""


def _mode_email(*, instansi_id: int, user_ids: Iterable[int]) -> dict[int, str]:
    rows = PreferensiNotifikasi.objects.filter(instansi_id=instansi_id, user_id__in=list(user_ids))
    return {r.user_id: r.mode_email for r in rows}


def _queue_email(instansi_id: int, ids: list[int], *, bulk: bool = False) -> None:
    """Immediate e-mails after commit; ``bulk`` (the batch's) on their own rate-limited queue."""
    from dialog.tasks import notifikasi_email_bulk_task, notifikasi_email_task

    task = notifikasi_email_bulk_task if bulk else notifikasi_email_task
    if ids:
        transaction.on_commit(partial(task.delay, instansi_id, ids))


@transaction.atomic
def notifikasi_create(
    *,
    instansi: Instansi | int,
    penerima: User,
    jenis: str,
    judul: str,
    pesan: str = "",
    tautan: str = "",
    aktor: User | None = None,
    kunci: str = "",
) -> Notifikasi | None:
    """An in-app notification for ``penerima``, also sent by email per their preference: immediately
    (a Celery task queued after commit) or in the daily digest. With ``kunci`` at most one row per user
    (returns None when it already exists). No notification to oneself.

    This is the hook other apps call (e.g. the SKP workflow: submitted / returned / approved)."""
    instansi_id = instansi.pk if isinstance(instansi, Instansi) else instansi
    if aktor is not None and aktor.pk == penerima.pk:
        return None
    if kunci and Notifikasi.objects.filter(instansi_id=instansi_id, penerima=penerima, kunci=kunci).exists():
        return None
    mode = _mode_email(instansi_id=instansi_id, user_ids=[penerima.pk]).get(penerima.pk, ModeEmail.SEGERA)
    if mode == ModeEmail.MATI or not _email_of(penerima):
        email_status = StatusEmail.TIDAK_PERLU
    else:
        email_status = StatusEmail.DIGEST if mode == ModeEmail.HARIAN else StatusEmail.SEGERA
    try:
        with transaction.atomic():
            notif = Notifikasi.objects.create(
                instansi_id=instansi_id,
                penerima=penerima,
                aktor=aktor,
                jenis=jenis,
                judul=judul[:255],
                pesan=pesan,
                tautan=tautan[:500],
                kunci=kunci[:200],
                email_status=email_status,
            )
    except IntegrityError:  # the same kunci raced in
        return None
    if email_status == StatusEmail.SEGERA:
        _queue_email(instansi_id, [notif.pk])
    return notif


@transaction.atomic
def notifikasi_create_bulk(
    *,
    instansi: Instansi | int,
    penerima_ids: list[int] | None = None,
    pegawai_ids: list[int] | None = None,
    jenis: str,
    judul: str,
    pesan: str = "",
    tautan: str = "",
    kunci: str = "",
) -> int:
    """The same notification for many users, given as user ids (``penerima_ids``) or as pegawai ids of
    this instansi (``pegawai_ids``: the year-end batch's, with no lookup of their users first).

    Set-based: one ``INSERT ... SELECT`` that reads each user's e-mail preference and address in SQL,
    ``ON CONFLICT DO NOTHING`` (with ``kunci`` re-running is a no-op: unique per user and kunci),
    ``RETURNING`` what it wrote; immediate e-mails queued after commit in chunks of 500 on the
    rate-limited bulk e-mail queue (``notifikasi_email_bulk_task``; with ``kunci``
    and rows that already existed, also those of an earlier run still unsent). Returns the number of
    rows written. At most four queries (savepoint included), whatever the number of users; the year-end
    batch calls it once per chunk of 5,000 pegawai."""
    instansi_id = instansi.pk if isinstance(instansi, Instansi) else instansi
    by_pegawai = pegawai_ids is not None
    ids = sorted(set((pegawai_ids if by_pegawai else penerima_ids) or []))
    if not ids:
        return 0
    kunci = kunci[:200]
    user_t, pegawai_t, pref_t = (
        User._meta.db_table,
        Pegawai._meta.db_table,
        PreferensiNotifikasi._meta.db_table,
    )
    if by_pegawai:
        source = f"FROM {pegawai_t} p JOIN {user_t} u ON u.id = p.user_id"
        where = "WHERE p.instansi_id = %(instansi)s AND p.id = ANY(%(ids)s)"
    else:
        source = (
            f"FROM {user_t} u LEFT JOIN {pegawai_t} p ON p.user_id = u.id AND p.instansi_id = %(instansi)s"
        )
        where = "WHERE u.id = ANY(%(ids)s)"
    sql = f"""
        INSERT INTO {Notifikasi._meta.db_table}
            (instansi_id, penerima_id, aktor_id, jenis, judul, pesan, tautan, kunci, dibaca_at,
             email_status, email_at, created_at, updated_at)
        SELECT %(instansi)s, u.id, NULL, %(jenis)s, %(judul)s, %(pesan)s, %(tautan)s, %(kunci)s, NULL,
               CASE WHEN COALESCE(pr.mode_email, %(segera_mode)s) = %(mati)s
                         OR COALESCE(NULLIF(u.email, ''), NULLIF(p.email, ''), '') = '' THEN %(tidak_perlu)s
                    WHEN pr.mode_email = %(harian)s THEN %(digest)s
                    ELSE %(segera)s END,
               NULL, %(now)s, %(now)s
        {source}
        LEFT JOIN {pref_t} pr ON pr.user_id = u.id AND pr.instansi_id = %(instansi)s
        {where}
        ORDER BY u.id
        ON CONFLICT DO NOTHING
        RETURNING id, email_status
    """
    with connection.cursor() as cur:
        cur.execute(
            sql,
            {
                "instansi": instansi_id, "jenis": jenis, "judul": judul[:255], "pesan": pesan,
                "tautan": tautan[:500], "kunci": kunci, "now": timezone.now(), "ids": ids,
                "segera_mode": ModeEmail.SEGERA, "mati": ModeEmail.MATI, "harian": ModeEmail.HARIAN,
                "tidak_perlu": StatusEmail.TIDAK_PERLU, "digest": StatusEmail.DIGEST, "segera": StatusEmail.SEGERA,
            },
        )  # fmt: skip
        written = cur.fetchall()
    segera = [pk for pk, status in written if status == StatusEmail.SEGERA]
    if kunci and len(written) < len(ids):  # a re-run: an earlier run's immediate e-mails not sent yet
        penerima: Any = (
            Pegawai.objects.filter(instansi_id=instansi_id, pk__in=ids).values("user_id")
            if by_pegawai
            else ids
        )
        segera = list(
            Notifikasi.objects.filter(
                instansi_id=instansi_id,
                penerima_id__in=penerima,
                kunci=kunci,
                email_status=StatusEmail.SEGERA,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for i in range(0, len(segera), 500):
        _queue_email(instansi_id, segera[i : i + 500], bulk=True)
    return len(written)


@transaction.atomic
def notifikasi_mark_read(*, actor: User, notifikasi: Notifikasi) -> Notifikasi:
    if notifikasi.penerima_id != actor.pk:
        raise NotFoundOrForbidden()
    if notifikasi.dibaca_at is None:
        notifikasi.dibaca_at = timezone.now()
        Notifikasi.objects.filter(pk=notifikasi.pk, dibaca_at__isnull=True).update(
            dibaca_at=notifikasi.dibaca_at
        )
    return notifikasi


@transaction.atomic
def notifikasi_mark_all_read(*, actor: User, instansi: Instansi) -> int:
    return Notifikasi.objects.filter(instansi=instansi, penerima=actor, dibaca_at__isnull=True).update(
        dibaca_at=timezone.now()
    )


@transaction.atomic
def preferensi_set(*, actor: User, instansi: Instansi, mode_email: str) -> PreferensiNotifikasi:
    if mode_email not in ModeEmail.values:
        raise ApplicationError(
            _("Pilihan tidak valid."), errors={"mode_email": [_("Pilih segera, harian, atau mati.")]}
        )
    pref, _created = PreferensiNotifikasi.objects.update_or_create(
        instansi=instansi, user=actor, defaults={"mode_email": mode_email}
    )
    # Waiting notifications follow the new choice.
    waiting = Notifikasi.objects.filter(
        instansi=instansi, penerima=actor, email_status__in=[StatusEmail.SEGERA, StatusEmail.DIGEST]
    )
    if mode_email == ModeEmail.MATI:
        waiting.update(email_status=StatusEmail.TIDAK_PERLU)
    elif mode_email == ModeEmail.HARIAN:
        waiting.update(email_status=StatusEmail.DIGEST)
    audit_log(
        actor=actor, instansi=instansi, action="dialog.preferensi", obj=pref, after={"mode_email": mode_email}
    )
    return pref


def _base_url() -> str:
    """``KINERJA_BASE_URL`` if configured, else the same address documents use (the request's own)."""
    from kinerja.documents import public_base_url

    return str(getattr(settings, "KINERJA_BASE_URL", "") or public_base_url()).rstrip("/")


def notifikasi_email_send(*, instansi: Instansi, notifikasi_ids: list[int]) -> int:
    """Send the immediate emails of these notifications. Idempotent: each row moves SEGERA → TERKIRIM by
    compare-and-swap before its email goes out (inside the same transaction, so a mail error rolls back
    and a retry sends it). Returns how many were sent."""
    sent = 0
    rows = Notifikasi.objects.filter(
        instansi=instansi, pk__in=notifikasi_ids, email_status=StatusEmail.SEGERA
    ).select_related("penerima")
    for notif in rows:
        with transaction.atomic():
            claimed = Notifikasi.objects.filter(pk=notif.pk, email_status=StatusEmail.SEGERA).update(
                email_status=StatusEmail.TERKIRIM, email_at=timezone.now()
            )
            if claimed != 1:
                continue
            to = _email_of(notif.penerima)
            if not to:
                Notifikasi.objects.filter(pk=notif.pk).update(
                    email_status=StatusEmail.TIDAK_PERLU, email_at=None
                )
                continue
            body = render_to_string(
                "dialog/email/notifikasi.txt", {"n": notif, "instansi": instansi, "base_url": _base_url()}
            )
            send_mail(f"[Kinerja] {notif.judul}", body, None, [to])
            sent += 1
    return sent


def digest_harian_send(*, instansi: Instansi, tanggal: dt.date | None = None) -> int:
    """Send each user whose notifications wait for the digest one email for ``tanggal``. Idempotent per user
    per day through the unique ``DigestHarian`` row (locked while sending). Returns digests sent."""
    tanggal = tanggal or timezone.localdate()
    user_ids = list(
        Notifikasi.objects.filter(instansi=instansi, email_status=StatusEmail.DIGEST)
        .values_list("penerima_id", flat=True)
        .distinct()
        .order_by("penerima_id")
    )
    return sum(_digest_user(instansi=instansi, user_id=uid, tanggal=tanggal) for uid in user_ids)


@transaction.atomic
def _digest_user(*, instansi: Instansi, user_id: int, tanggal: dt.date) -> int:
    row, _created = DigestHarian.objects.get_or_create(instansi=instansi, user_id=user_id, tanggal=tanggal)
    row = DigestHarian.objects.select_for_update().get(pk=row.pk)
    if row.terkirim_at is not None:
        return 0
    notifs = list(
        Notifikasi.objects.filter(
            instansi=instansi, penerima_id=user_id, email_status=StatusEmail.DIGEST
        ).order_by("created_at", "id")
    )
    if not notifs:
        return 0
    user = User.objects.get(pk=user_id)
    to = _email_of(user)
    ids = [n.pk for n in notifs]
    if not to:
        Notifikasi.objects.filter(pk__in=ids).update(email_status=StatusEmail.TIDAK_PERLU)
        return 0
    body = render_to_string(
        "dialog/email/digest.txt",
        {
            "notifikasi": notifs,
            "user": user,
            "tanggal": tanggal,
            "instansi": instansi,
            "base_url": _base_url(),
        },
    )
    send_mail(f"[Kinerja] Ringkasan harian {tanggal:%d-%m-%Y}: {len(notifs)} pemberitahuan", body, None, [to])
    now = timezone.now()
    Notifikasi.objects.filter(pk__in=ids).update(email_status=StatusEmail.TERKIRIM, email_at=now)
    row.jumlah, row.terkirim_at = len(notifs), now
    row.save(update_fields=["jumlah", "terkirim_at", "updated_at"])
    return 1


def skp_status_notify(
    *, skp: Skp, ke: str, actor: User | None = None, catatan: str = ""
) -> Notifikasi | None:
    """Notification for an SKP status change: submitted → the Pejabat Penilai; returned/approved → the
    owner. Meant to be called by the SKP workflow inside its transaction (see the hook in the report)."""
    owner = Pegawai.objects.select_related("user").get(pk=skp.pegawai_id)
    pesan = ""
    if ke == SkpStatus.DIAJUKAN:
        if skp.pejabat_penilai_id is None:
            return None
        penerima = Pegawai.objects.select_related("user").get(pk=skp.pejabat_penilai_id).user
        jenis, judul = JenisNotifikasi.SKP_DIAJUKAN, f"SKP {skp.tahun} {owner.nama} menunggu persetujuan Anda"
    elif ke == SkpStatus.DIKEMBALIKAN:
        penerima, pesan = owner.user, catatan
        jenis, judul = JenisNotifikasi.SKP_DIKEMBALIKAN, f"SKP {skp.tahun} Anda dikembalikan untuk diperbaiki"
    elif ke == SkpStatus.DISETUJUI:
        penerima = owner.user
        jenis, judul = JenisNotifikasi.SKP_DISETUJUI, f"SKP {skp.tahun} Anda telah disetujui"
    else:
        return None
    return notifikasi_create(
        instansi=skp.instansi_id,
        penerima=penerima,
        aktor=actor,
        jenis=jenis,
        judul=judul,
        pesan=pesan,
        tautan=reverse("skp:detail", args=[skp.pk]),
    )


def rhk_pimpinan_diubah_notify(*, actor: User, rhk: Rhk, teks_lama: str, dependan: list[Dependan]) -> int:
    """The owners of submitted/approved SKPs that link to a result their leader just reworded: one
    notification each (per SKP, linking to it). An approved SKP keeps the text it was approved with;
    a submitted one is approved with the new text. Called by ``skp_rhk_update`` inside its
    transaction (through skp's listener registry); returns how many were written."""
    owners = {
        u.pk: u
        for u in User.objects.filter(pk__in={d.pemilik_user_id for d in dependan if d.pemilik_user_id})
    }
    pemimpin = pegawai_of(actor)
    nama = pemimpin.nama if pemimpin is not None else actor.get_username()
    n = 0
    for d in dependan:
        penerima = owners.get(d.pemilik_user_id or 0)
        if penerima is None:
            continue
        if d.status == SkpStatus.DISETUJUI:
            catatan = _("SKP Anda yang sudah disetujui tetap memuat rumusan saat disetujui.")
        else:
            catatan = _("SKP Anda yang sedang diajukan akan disetujui dengan rumusan baru ini.")
        pesan = _("Sebelumnya: %(lama)s\nSekarang: %(baru)s\n%(catatan)s") % {
            "lama": teks_lama,
            "baru": rhk.rencana_hasil_kerja,
            "catatan": catatan,
        }
        if notifikasi_create(
            instansi=rhk.instansi_id,
            penerima=penerima,
            aktor=actor,
            jenis=JenisNotifikasi.RHK_PIMPINAN_DIUBAH,
            judul=(_("%(nama)s mengubah rencana hasil kerja pimpinan yang Anda intervensi") % {"nama": nama})[
                :255
            ],
            pesan=pesan,
            tautan=reverse("skp:detail", args=[d.skp_id]),
        ):
            n += 1
    return n


# ---------------------------------------------------------------- umpan balik


@transaction.atomic
def umpan_balik_give(
    *,
    actor: User,
    skp: Skp,
    periode_id: Any,
    isi: str,
    rhk_id: Any = None,
    core_value: str | None = "",
    realisasi_id: Any = None,
    sifat: str | None = "",
    permintaan_id: Any = None,
) -> UmpanBalik:
    """Give feedback on ``skp`` for a periode: on a result, a realisasi, a core value, or in general.

    Allowed for the Pejabat Penilai (direct or delegated), an assigning official holding the permission
    (on their assignment's results), a subordinate or a peer of the owner; anyone else (the owner included)
    gets 404. Notifies the owner (email after commit), answers the request it responds to, audited."""
    peran = peran_pemberi_untuk(user=actor, skp=skp)
    own = pegawai_of(actor)
    if peran is None or own is None:
        if own is not None and own.pk == skp.pegawai_id:
            raise NotFoundOrForbidden(_("Anda tidak dapat memberi umpan balik atas SKP Anda sendiri."))
        raise NotFoundOrForbidden()
    if skp.status == SkpStatus.DIGANTI:
        raise InvalidTransition(
            _("SKP ini sudah diganti versi baru. Berikan umpan balik pada SKP yang berlaku.")
        )
    errors: dict[str, list[str]] = {}
    isi = _teks(errors, "isi", isi, wajib=True, label=_("Isi umpan balik"))
    periode = _periode_for(errors, skp=skp, periode_id=periode_id)
    rhk = _rhk_for(errors, skp=skp, rhk_id=rhk_id)
    core_value = _core_value(errors, core_value)
    realisasi = None
    if realisasi_id not in (None, ""):
        pk = _as_int(realisasi_id)
        realisasi = (
            Realisasi.objects.filter(instansi_id=skp.instansi_id, skp=skp, pk=pk).first() if pk else None
        )
        if realisasi is None:
            errors["realisasi"] = [_("Realisasi ini tidak termasuk dalam SKP tersebut.")]
        elif rhk is not None and rhk.pk != realisasi.rhk_id:
            errors["rhk"] = [_("Realisasi yang dipilih milik hasil kerja lain.")]
        else:
            rhk = Rhk.objects.get(pk=realisasi.rhk_id)
            if periode is not None and realisasi.periode_id != periode.pk:
                errors["realisasi"] = [_("Realisasi yang dipilih milik periode lain.")]
    if (rhk is not None or realisasi is not None) and core_value:
        errors["core_value"] = [_("Pilih salah satu: hasil kerja atau core value, tidak keduanya.")]
    sifat = (sifat or "").strip()
    if sifat and sifat not in SifatUmpanBalik.values:
        errors["sifat"] = [_("Pilih apresiasi atau perbaikan.")]
    if peran == PeranPemberi.PEMBERI_PENUGASAN and rhk is not None:
        allowed = set(penugasan_izin_untuk(user=actor, skp=skp).values_list("rhk_id", flat=True))
        if rhk.pk not in allowed:
            errors["rhk"] = [
                _("Sebagai pemberi penugasan, Anda memberi umpan balik atas hasil kerja penugasan Anda.")
            ]
    permintaan = None
    if permintaan_id not in (None, ""):
        pk = _as_int(permintaan_id)
        permintaan = (
            PermintaanUmpanBalik.objects.filter(
                instansi_id=skp.instansi_id, skp=skp, diminta=own, pk=pk
            ).first()
            if pk
            else None
        )
        if permintaan is None:
            errors["permintaan"] = [_("Permintaan umpan balik tidak ditemukan.")]
    if errors or periode is None:
        raise ApplicationError(_("Umpan balik belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    now = timezone.now()
    ub = UmpanBalik.objects.create(
        instansi_id=skp.instansi_id,
        skp=skp,
        penerima_id=skp.pegawai_id,
        pemberi=own,
        peran_pemberi=peran,
        periode=periode,
        rhk=rhk,
        realisasi=realisasi,
        core_value=core_value,
        sifat=sifat,
        isi=isi,
        permintaan=permintaan,
        aktivitas_terakhir_at=now,
    )
    UmpanBalikDibaca.objects.create(instansi_id=skp.instansi_id, umpan_balik=ub, user=actor, dibaca_at=now)
    if permintaan is not None and permintaan.status == StatusPermintaan.TERBUKA:
        PermintaanUmpanBalik.objects.filter(pk=permintaan.pk, status=StatusPermintaan.TERBUKA).update(
            status=StatusPermintaan.DIJAWAB, dijawab_at=now
        )
    label = _PERAN_LABEL.get(peran, peran)
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=skp.pegawai_id,
        aktor=actor,
        jenis="umpan_balik.diberikan",
        ringkasan=f"{own.nama} ({label}): {isi[:300]}",
        objek=ub,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="dialog.umpan_balik",
        obj=ub,
        after={
            "skp": skp.pk,
            "periode": periode.pk,
            "rhk": getattr(rhk, "pk", None),
            "core_value": core_value,
            "peran": peran,
        },
    )
    owner = Pegawai.objects.select_related("user").get(pk=skp.pegawai_id)
    notifikasi_create(
        instansi=skp.instansi_id,
        penerima=owner.user,
        aktor=actor,
        jenis=JenisNotifikasi.UMPAN_BALIK,
        judul=f"Umpan balik baru dari {own.nama} ({label})",
        pesan=isi[:1000],
        tautan=_url_umpan_balik(skp.pk, ub.pk),
    )
    return ub


def _peserta_thread(*, actor: User, umpan_balik: UmpanBalik) -> Pegawai:
    """The receiver, the giver and the receiver's Pejabat Penilai take part in a thread."""
    own = pegawai_of(actor)
    if own is not None and own.instansi_id == umpan_balik.instansi_id:
        if own.pk in (umpan_balik.penerima_id, umpan_balik.pemberi_id):
            return own
        if is_pimpinan_of(user=actor, pegawai=umpan_balik.penerima):
            return own
    raise ReadOnly(_("Hanya penerima, pemberi, dan Pejabat Penilai yang dapat membalas umpan balik ini."))


def _tandai_dibaca(*, user: User, ub_ids: list[int], instansi_id: int, waktu: dt.datetime) -> None:
    UmpanBalikDibaca.objects.bulk_create(
        [
            UmpanBalikDibaca(instansi_id=instansi_id, umpan_balik_id=pk, user=user, dibaca_at=waktu)
            for pk in ub_ids
        ],
        update_conflicts=True,
        unique_fields=["umpan_balik", "user"],
        update_fields=["dibaca_at"],
    )


@transaction.atomic
def umpan_balik_reply(*, actor: User, umpan_balik: UmpanBalik, isi: str) -> BalasanUmpanBalik:
    """A reply in the thread by a participant; the other participants get a notification."""
    own = _peserta_thread(actor=actor, umpan_balik=umpan_balik)
    errors: dict[str, list[str]] = {}
    isi = _teks(errors, "isi", isi, wajib=True, label=_("Balasan"))
    if errors:
        raise ApplicationError(_("Balasan belum terkirim."), errors=errors)
    now = timezone.now()
    balasan = BalasanUmpanBalik.objects.create(
        instansi_id=umpan_balik.instansi_id, umpan_balik=umpan_balik, penulis=own, isi=isi
    )
    UmpanBalik.objects.filter(pk=umpan_balik.pk).update(aktivitas_terakhir_at=now)
    _tandai_dibaca(user=actor, ub_ids=[umpan_balik.pk], instansi_id=umpan_balik.instansi_id, waktu=now)
    _aktivitas(
        instansi_id=umpan_balik.instansi_id,
        pegawai_id=umpan_balik.penerima_id,
        aktor=actor,
        jenis="umpan_balik.dibalas",
        ringkasan=f"{own.nama}: {isi[:300]}",
        objek=umpan_balik,
        skp_id=umpan_balik.skp_id,
    )
    audit_log(actor=actor, instansi=umpan_balik.instansi_id, action="dialog.umpan_balik_balas", obj=balasan)
    penerima_ids = {umpan_balik.penerima_id, umpan_balik.pemberi_id} - {own.pk}
    for p in Pegawai.objects.filter(pk__in=penerima_ids).select_related("user"):
        notifikasi_create(
            instansi=umpan_balik.instansi_id,
            penerima=p.user,
            aktor=actor,
            jenis=JenisNotifikasi.BALASAN,
            judul=f"{own.nama} membalas umpan balik",
            pesan=isi[:1000],
            tautan=_url_umpan_balik(umpan_balik.skp_id, umpan_balik.pk),
        )
    return balasan


@transaction.atomic
def umpan_balik_mark_read(*, actor: User, umpan_balik: UmpanBalik) -> None:
    """Mark a thread read for the actor (anyone who can see it)."""
    _tandai_dibaca(
        user=actor, ub_ids=[umpan_balik.pk], instansi_id=umpan_balik.instansi_id, waktu=timezone.now()
    )


@transaction.atomic
def umpan_balik_mark_all_read(*, actor: User, threads: list[UmpanBalik]) -> int:
    if threads:
        ids = [t.pk for t in threads]
        _tandai_dibaca(user=actor, ub_ids=ids, instansi_id=threads[0].instansi_id, waktu=timezone.now())
    return len(threads)


@transaction.atomic
def permintaan_create(
    *,
    actor: User,
    skp: Skp,
    diminta_id: Any,
    periode_id: Any,
    pesan: str = "",
    rhk_id: Any = None,
    core_value: str | None = "",
) -> PermintaanUmpanBalik:
    """The SKP owner asks someone who may give feedback for it; they get a notification."""
    own = _own(actor)
    if own.pk != skp.pegawai_id:
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    kandidat = {p.pk: p for p in kandidat_pemberi(skp=skp)}
    diminta = kandidat.get(_as_int(diminta_id) or -1)
    if diminta is None:
        errors["diminta"] = [_("Pilih pimpinan, rekan kerja, bawahan, atau pemberi penugasan Anda.")]
    periode = _periode_for(errors, skp=skp, periode_id=periode_id)
    rhk = _rhk_for(errors, skp=skp, rhk_id=rhk_id)
    core_value = _core_value(errors, core_value)
    if rhk is not None and core_value:
        errors["core_value"] = [_("Pilih salah satu: hasil kerja atau core value, tidak keduanya.")]
    pesan = _teks(errors, "pesan", pesan, wajib=False, label=_("Pesan"))
    if errors or diminta is None or periode is None:
        raise ApplicationError(_("Permintaan belum terkirim. Periksa isian yang ditandai."), errors=errors)
    req = PermintaanUmpanBalik.objects.create(
        instansi_id=skp.instansi_id,
        skp=skp,
        peminta=own,
        diminta=diminta,
        periode=periode,
        rhk=rhk,
        core_value=core_value,
        pesan=pesan,
    )
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="umpan_balik.diminta",
        ringkasan=f"Meminta umpan balik kepada {diminta.nama}",
        objek=req,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="dialog.permintaan",
        obj=req,
        after={"diminta": diminta.pk},
    )
    notifikasi_create(
        instansi=skp.instansi_id,
        penerima=User.objects.get(pk=diminta.user_id),
        aktor=actor,
        jenis=JenisNotifikasi.PERMINTAAN,
        judul=f"{own.nama} meminta umpan balik Anda",
        pesan=pesan,
        tautan=f"{_url_umpan_balik(skp.pk)}?permintaan={req.pk}",
    )
    return req


@transaction.atomic
def permintaan_cancel(*, actor: User, permintaan: PermintaanUmpanBalik) -> None:
    own = _own(actor)
    if own.pk != permintaan.peminta_id:
        raise NotFoundOrForbidden()
    updated = PermintaanUmpanBalik.objects.filter(pk=permintaan.pk, status=StatusPermintaan.TERBUKA).update(
        status=StatusPermintaan.DIBATALKAN
    )
    if updated != 1:
        raise InvalidTransition(_("Permintaan ini sudah dijawab atau dibatalkan."))
    audit_log(actor=actor, instansi=permintaan.instansi_id, action="dialog.permintaan_batal", obj=permintaan)


# ---------------------------------------------------------------- documentation


def _require_dokumentasi(*, actor: User, skp: Skp) -> Pegawai:
    """Only the owner documents, and only against an approved plan (realisasi needs an established SKP)."""
    own = pegawai_of(actor)
    if own is None or own.pk != skp.pegawai_id:
        raise ReadOnly(_("Hanya pemilik SKP yang mengisi rencana aksi, realisasi, dan bukti dukung."))
    if skp.status != SkpStatus.DISETUJUI:
        raise InvalidTransition(_("Rencana aksi dan realisasi diisi setelah SKP disetujui Pejabat Penilai."))
    return own


def _validate_tautan(errors: dict[str, list[str]], tautan: str | None) -> str:
    tautan = (tautan or "").strip()
    if not tautan:
        return ""
    if len(tautan) > 2000:
        errors["tautan"] = [_("Tautan paling banyak 2000 karakter.")]
        return tautan
    try:
        _http_url(tautan)
    except ValidationError:
        errors["tautan"] = [_("Tautan harus alamat web lengkap yang diawali http:// atau https://.")]
    return tautan


def _bukti_create(
    *,
    actor: User,
    realisasi: Realisasi,
    berkas: UploadedFile | None,
    jenis_berkas: bukti_files.JenisBerkas | None,
    tautan: str,
    judul: str,
) -> list[BuktiDukung]:
    created: list[BuktiDukung] = []
    if berkas is not None and jenis_berkas is not None:
        obj = BuktiDukung(
            instansi_id=realisasi.instansi_id,
            realisasi=realisasi,
            jenis=JenisBukti.BERKAS,
            nama_berkas=bukti_files.nama_tampilan(berkas.name or "", jenis_berkas),
            tipe_konten=jenis_berkas.mime,
            ukuran=berkas.size or 0,
            sha256=bukti_files.sha256_of(berkas),
            judul=judul[:255],
            diunggah_oleh=actor,
        )
        obj.berkas.save(f"bukti{jenis_berkas.ext}", berkas, save=True)
        created.append(obj)
    if tautan:
        created.append(
            BuktiDukung.objects.create(
                instansi_id=realisasi.instansi_id,
                realisasi=realisasi,
                jenis=JenisBukti.TAUTAN,
                tautan=tautan,
                judul=(judul if berkas is None else "")[:255],
                diunggah_oleh=actor,
            )
        )
    return created


def _check_berkas(
    errors: dict[str, list[str]], berkas: UploadedFile | None
) -> bukti_files.JenisBerkas | None:
    if berkas is None:
        return None
    try:
        return bukti_files.sniff(berkas, size=berkas.size)
    except ApplicationError as exc:
        errors.update(exc.errors)
        return None


@transaction.atomic
def realisasi_save(
    *,
    actor: User,
    skp: Skp,
    indikator_id: Any,
    periode_id: Any,
    realisasi: str,
    keterangan: str = "",
    berkas: UploadedFile | None = None,
    tautan: str = "",
    judul_bukti: str = "",
) -> Realisasi:
    """The owner records (or updates) the realisasi of one indikator for one periode, optionally adding a
    file and/or a link as bukti dukung. Everything, the file's content included, is validated before
    anything is written: a rejected file saves nothing and says why. Audited; on the timeline."""
    own = _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    pk = _as_int(indikator_id)
    indikator = (
        Indikator.objects.filter(instansi_id=skp.instansi_id, rhk__skp=skp, pk=pk)
        .select_related("rhk")
        .first()
        if pk
        else None
    )
    if indikator is None:
        errors["indikator"] = [_("Indikator ini tidak termasuk dalam SKP tersebut.")]
    periode = _periode_for(errors, skp=skp, periode_id=periode_id)
    teks = _teks(errors, "realisasi", realisasi, wajib=True, label=_("Realisasi"))
    keterangan = _teks(errors, "keterangan", keterangan, wajib=False, label=_("Keterangan"))
    judul_bukti = (judul_bukti or "").strip()
    if len(judul_bukti) > 255:
        errors["judul_bukti"] = [_("Judul bukti paling banyak 255 karakter.")]
    jenis_berkas = _check_berkas(errors, berkas)
    tautan = _validate_tautan(errors, tautan)
    existing = None
    if indikator is not None and periode is not None:
        existing = Realisasi.objects.filter(
            instansi_id=skp.instansi_id, indikator=indikator, periode=periode
        ).first()
        if existing is not None and (berkas or tautan):
            n = BuktiDukung.objects.filter(instansi_id=skp.instansi_id, realisasi=existing).count()
            if n + bool(berkas) + bool(tautan) > MAX_BUKTI_PER_REALISASI:
                errors["berkas"] = [
                    _("Paling banyak %(n)d bukti dukung per realisasi.") % {"n": MAX_BUKTI_PER_REALISASI}
                ]
    if errors or indikator is None or periode is None:
        raise ApplicationError(_("Realisasi belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    obj, created = Realisasi.objects.update_or_create(
        instansi_id=skp.instansi_id,
        indikator=indikator,
        periode=periode,
        defaults={
            "skp": skp,
            "rhk_id": indikator.rhk_id,
            "realisasi": teks,
            "keterangan": keterangan,
            "diisi_oleh": actor,
        },
    )
    added = _bukti_create(
        actor=actor, realisasi=obj, berkas=berkas, jenis_berkas=jenis_berkas, tautan=tautan, judul=judul_bukti
    )
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="realisasi.diisi" if created else "realisasi.diubah",
        ringkasan=f"{indikator.iki[:120]}: {teks[:200]}" + (f" (+{len(added)} bukti)" if added else ""),
        objek=obj,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="dialog.realisasi",
        obj=obj,
        before={"realisasi": existing.realisasi} if existing else None,
        after={"realisasi": teks, "periode": periode.pk, "bukti": [b.pk for b in added]},
    )
    return obj


@transaction.atomic
def bukti_add(
    *,
    actor: User,
    realisasi: Realisasi,
    berkas: UploadedFile | None = None,
    tautan: str = "",
    judul: str = "",
) -> list[BuktiDukung]:
    """Add a file and/or a link to an existing realisasi (owner, approved SKP)."""
    skp = Skp.objects.get(pk=realisasi.skp_id)
    _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    jenis_berkas = _check_berkas(errors, berkas)
    tautan = _validate_tautan(errors, tautan)
    if berkas is None and not tautan and not errors:
        errors["berkas"] = [_("Pilih berkas atau isi tautan.")]
    n = BuktiDukung.objects.filter(instansi_id=realisasi.instansi_id, realisasi=realisasi).count()
    if n + bool(berkas) + bool(tautan) > MAX_BUKTI_PER_REALISASI:
        errors["berkas"] = [
            _("Paling banyak %(n)d bukti dukung per realisasi.") % {"n": MAX_BUKTI_PER_REALISASI}
        ]
    if errors:
        raise ApplicationError(_("Bukti dukung belum tersimpan."), errors=errors)
    added = _bukti_create(
        actor=actor, realisasi=realisasi, berkas=berkas, jenis_berkas=jenis_berkas, tautan=tautan, judul=judul
    )
    for b in added:
        audit_log(actor=actor, instansi=realisasi.instansi_id, action="dialog.bukti_tambah", obj=b)
    return added


@transaction.atomic
def bukti_remove(*, actor: User, bukti: BuktiDukung) -> None:
    """The owner removes a piece of evidence; the stored file is deleted after commit."""
    realisasi = Realisasi.objects.select_related("skp").get(pk=bukti.realisasi_id)
    _require_dokumentasi(actor=actor, skp=realisasi.skp)
    audit_log(
        actor=actor,
        instansi=bukti.instansi_id,
        action="dialog.bukti_hapus",
        obj=bukti,
        before={"nama": bukti.label, "sha256": bukti.sha256},
    )
    name, storage = bukti.berkas.name, bukti.berkas.storage
    BuktiDukung.objects.filter(pk=bukti.pk).delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))


def _rencana_aksi_teks(errors: dict[str, list[str]], *, uraian: str, target: str) -> tuple[str, str]:
    """The step's text (required) and target (optional, at most 255 characters), errors per field."""
    uraian = _teks(errors, "uraian", uraian, wajib=True, label=_("Rencana aksi"))
    target = (target or "").strip()
    if len(target) > 255:
        errors["target"] = [_("Target paling banyak 255 karakter.")]
    return uraian, target


@transaction.atomic
def rencana_aksi_add(
    *, actor: User, skp: Skp, rhk_id: Any, periode_id: Any, uraian: str, target: str = ""
) -> RencanaAksi:
    """The owner plans a step for a result in a periode."""
    own = _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    rhk = _rhk_for(errors, skp=skp, rhk_id=rhk_id)
    if rhk is None and "rhk" not in errors:
        errors["rhk"] = [_("Pilih hasil kerja.")]
    periode = _periode_for(errors, skp=skp, periode_id=periode_id)
    uraian, target = _rencana_aksi_teks(errors, uraian=uraian, target=target)
    if errors or rhk is None or periode is None:
        raise ApplicationError(_("Rencana aksi belum tersimpan."), errors=errors)
    urutan = RencanaAksi.objects.filter(instansi_id=skp.instansi_id, rhk=rhk, periode=periode).count() + 1
    aksi = RencanaAksi.objects.create(
        instansi_id=skp.instansi_id,
        skp=skp,
        rhk=rhk,
        periode=periode,
        uraian=uraian,
        target=target,
        urutan=urutan,
        dibuat_oleh=actor,
    )
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="rencana_aksi.ditambah",
        ringkasan=uraian[:300],
        objek=aksi,
        skp_id=skp.pk,
    )
    audit_log(actor=actor, instansi=skp.instansi_id, action="dialog.rencana_aksi", obj=aksi)
    return aksi


@transaction.atomic
def rencana_aksi_update(
    *, actor: User, rencana_aksi: RencanaAksi, uraian: str, target: str = ""
) -> RencanaAksi:
    """The owner corrects a planned step (text and target; its result and periode stay). Audited with
    the old and new text; the activity feed records it."""
    skp = Skp.objects.get(pk=rencana_aksi.skp_id)
    own = _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    uraian, target = _rencana_aksi_teks(errors, uraian=uraian, target=target)
    if errors:
        raise ApplicationError(_("Rencana aksi belum tersimpan."), errors=errors)
    before = {"uraian": rencana_aksi.uraian, "target": rencana_aksi.target}
    after = {"uraian": uraian, "target": target}
    if before == after:
        return rencana_aksi
    RencanaAksi.objects.filter(pk=rencana_aksi.pk).update(
        uraian=uraian, target=target, updated_at=timezone.now()
    )
    rencana_aksi.uraian, rencana_aksi.target = uraian, target
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="rencana_aksi.diubah",
        ringkasan=uraian[:300],
        objek=rencana_aksi,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor, instansi=skp.instansi_id, action="dialog.rencana_aksi_ubah", obj=rencana_aksi,
        before=before, after=after,
    )  # fmt: skip
    return rencana_aksi


@transaction.atomic
def rencana_aksi_remove(*, actor: User, rencana_aksi: RencanaAksi) -> None:
    skp = Skp.objects.get(pk=rencana_aksi.skp_id)
    _require_dokumentasi(actor=actor, skp=skp)
    audit_log(
        actor=actor,
        instansi=rencana_aksi.instansi_id,
        action="dialog.rencana_aksi_hapus",
        obj=rencana_aksi,
        before={"uraian": rencana_aksi.uraian},
    )
    RencanaAksi.objects.filter(pk=rencana_aksi.pk).delete()


# ---------------------------------------------------------------- dialog, bimbingan, konseling


def _validate_tindak_lanjut(
    errors: dict[str, list[str]], items: list[dict[str, Any]], *, tanggal: dt.date | None
) -> list[tuple[str, dt.date]]:
    out: list[tuple[str, dt.date]] = []
    for i, item in enumerate(items):
        uraian = (item.get("uraian") or "").strip()
        tenggat = item.get("tenggat")
        if not uraian and not tenggat:
            continue
        if not uraian:
            errors[f"tindak_lanjut.{i}.uraian"] = [_("Uraian tindak lanjut wajib diisi.")]
        elif len(uraian) > MAX_TEXT:
            errors[f"tindak_lanjut.{i}.uraian"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        if not isinstance(tenggat, dt.date):
            errors[f"tindak_lanjut.{i}.tenggat"] = [_("Isi tenggat tindak lanjut.")]
        elif tanggal is not None and tenggat < tanggal:
            errors[f"tindak_lanjut.{i}.tenggat"] = [_("Tenggat tidak boleh sebelum tanggal pertemuan.")]
        if uraian and isinstance(tenggat, dt.date):
            out.append((uraian, tenggat))
    return out


@transaction.atomic
def catatan_create(
    *,
    actor: User,
    jenis: str,
    pegawai: Pegawai,
    tanggal: dt.date | None,
    agenda: str = "",
    catatan: str = "",
    skp: Skp | None = None,
    periode_id: Any = None,
    tindak_lanjut: list[dict[str, Any]] | None = None,
) -> CatatanKinerja:
    """Record a dialog kinerja (leader or the pegawai), a bimbingan or a konseling (leader only).

    Open follow-ups of the pegawai's earlier records are carried over into this one (copied with
    ``dibawa_dari``; the originals become ``dibawa``). The other party is notified."""
    own = _own(actor)
    leader = is_pimpinan_of(user=actor, pegawai=pegawai)
    if jenis not in JenisCatatan.values:
        raise ApplicationError(
            _("Jenis catatan tidak valid."), errors={"jenis": [_("Pilih dialog, bimbingan, atau konseling.")]}
        )
    if not leader and not (jenis == JenisCatatan.DIALOG and own.pk == pegawai.pk):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    if tanggal is None:
        errors["tanggal"] = [_("Isi tanggal pertemuan.")]
    elif tanggal > timezone.localdate():
        errors["tanggal"] = [_("Tanggal pertemuan tidak boleh di masa depan.")]
    agenda = _teks(errors, "agenda", agenda, wajib=False, label=_("Agenda"))
    catatan = _teks(errors, "catatan", catatan, wajib=False, label=_("Catatan"))
    if not agenda and not catatan and "agenda" not in errors:
        errors["catatan"] = [_("Isi agenda atau catatan hasil pertemuan.")]
    if skp is not None and skp.pegawai_id != pegawai.pk:
        errors["skp"] = [_("SKP ini bukan milik pegawai tersebut.")]
    periode = None
    if periode_id not in (None, ""):
        pk = _as_int(periode_id)
        periode = Periode.objects.filter(instansi_id=pegawai.instansi_id, pk=pk).first() if pk else None
        if periode is None:
            errors["periode"] = [_("Periode tidak ditemukan.")]
    baru = _validate_tindak_lanjut(errors, tindak_lanjut or [], tanggal=tanggal)
    if errors or tanggal is None:
        raise ApplicationError(_("Catatan belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    pimpinan_id = own.pk if leader else pegawai.atasan_id
    rec = CatatanKinerja.objects.create(
        instansi_id=pegawai.instansi_id,
        jenis=jenis,
        pegawai=pegawai,
        pimpinan_id=pimpinan_id,
        skp=skp,
        periode=periode,
        tanggal=tanggal,
        agenda=agenda,
        catatan=catatan,
        dibuat_oleh=actor,
    )
    terbuka = list(
        TindakLanjut.objects.select_for_update()
        .filter(instansi_id=pegawai.instansi_id, pegawai=pegawai, status=StatusTindakLanjut.TERBUKA)
        .exclude(catatan=rec)
        .order_by("tenggat", "id")
    )
    TindakLanjut.objects.bulk_create(
        [
            TindakLanjut(
                instansi_id=pegawai.instansi_id,
                catatan=rec,
                pegawai=pegawai,
                uraian=t.uraian,
                tenggat=t.tenggat,
                dibawa_dari=t,
            )
            for t in terbuka
        ]
        + [
            TindakLanjut(instansi_id=pegawai.instansi_id, catatan=rec, pegawai=pegawai, uraian=u, tenggat=d)
            for u, d in baru
        ]
    )
    if terbuka:
        TindakLanjut.objects.filter(pk__in=[t.pk for t in terbuka]).update(status=StatusTindakLanjut.DIBAWA)
    _aktivitas(
        instansi_id=pegawai.instansi_id,
        pegawai_id=pegawai.pk,
        aktor=actor,
        jenis=f"catatan.{jenis}",
        ringkasan=(agenda or catatan)[:300],
        objek=rec,
    )
    audit_log(
        actor=actor,
        instansi=pegawai.instansi_id,
        action=f"dialog.{jenis}",
        obj=rec,
        after={"pegawai": pegawai.pk, "tindak_lanjut_baru": len(baru), "dibawa": len(terbuka)},
    )
    other_id = pegawai.pk if own.pk != pegawai.pk else pimpinan_id
    if other_id:
        other = Pegawai.objects.select_related("user").get(pk=other_id)
        notifikasi_create(
            instansi=pegawai.instansi_id,
            penerima=other.user,
            aktor=actor,
            jenis=JenisNotifikasi.CATATAN,
            judul=f"{rec.get_jenis_display()} {tanggal:%d-%m-%Y} dicatat oleh {own.nama}",
            tautan=reverse("dialog:catatan-detail", args=[rec.pk]),
        )
    return rec


def _require_peserta_catatan(*, actor: User, catatan: CatatanKinerja) -> Pegawai:
    own = _own(actor)
    if own.pk == catatan.pegawai_id or own.pk == catatan.pimpinan_id:
        return own
    if is_pimpinan_of(user=actor, pegawai=catatan.pegawai):
        return own
    raise ReadOnly(_("Hanya pegawai dan pimpinannya yang mengubah catatan ini."))


@transaction.atomic
def tindak_lanjut_add(
    *, actor: User, catatan: CatatanKinerja, uraian: str, tenggat: dt.date | None
) -> TindakLanjut:
    _require_peserta_catatan(actor=actor, catatan=catatan)
    errors: dict[str, list[str]] = {}
    items = _validate_tindak_lanjut(errors, [{"uraian": uraian, "tenggat": tenggat}], tanggal=catatan.tanggal)
    if not items and not errors:
        errors["tindak_lanjut.0.uraian"] = [_("Uraian tindak lanjut wajib diisi.")]
    if errors:
        raise ApplicationError(
            _("Tindak lanjut belum tersimpan."), errors={k.split(".")[-1]: v for k, v in errors.items()}
        )
    t = TindakLanjut.objects.create(
        instansi_id=catatan.instansi_id,
        catatan=catatan,
        pegawai_id=catatan.pegawai_id,
        uraian=items[0][0],
        tenggat=items[0][1],
    )
    audit_log(actor=actor, instansi=catatan.instansi_id, action="dialog.tindak_lanjut", obj=t)
    return t


@transaction.atomic
def tindak_lanjut_set_status(*, actor: User, tindak_lanjut: TindakLanjut, selesai: bool) -> TindakLanjut:
    """Mark a follow-up done (or open again). Carried-over originals are frozen."""
    catatan = CatatanKinerja.objects.get(pk=tindak_lanjut.catatan_id)
    _require_peserta_catatan(actor=actor, catatan=catatan)
    dari, ke = (
        (StatusTindakLanjut.TERBUKA, StatusTindakLanjut.SELESAI)
        if selesai
        else (StatusTindakLanjut.SELESAI, StatusTindakLanjut.TERBUKA)
    )
    updated = TindakLanjut.objects.filter(pk=tindak_lanjut.pk, status=dari).update(
        status=ke, selesai_at=timezone.now() if selesai else None
    )
    if updated != 1:
        raise InvalidTransition(
            _("Status tindak lanjut ini tidak dapat diubah (sudah dibawa ke catatan berikutnya?).")
        )
    audit_log(
        actor=actor,
        instansi=tindak_lanjut.instansi_id,
        action="dialog.tindak_lanjut_status",
        obj=tindak_lanjut,
        before={"status": dari},
        after={"status": ke},
    )
    tindak_lanjut.refresh_from_db()
    return tindak_lanjut


@transaction.atomic
def bimbingan_jawab(
    *, actor: User, catatan: CatatanKinerja, jawaban: dict[int, tuple[str, str]]
) -> CatatanKinerja:
    """The pegawai answers the nine statements of Format B.1.8 for a bimbingan record, once (it is their
    signed feedback on the bimbingan). ``jawaban`` maps statement id → (``ya``/``tidak``, comment)."""
    own = _own(actor)
    if own.pk != catatan.pegawai_id:
        raise ReadOnly(_("Format B.1.8 diisi oleh pegawai yang dibimbing."))
    if catatan.jenis != JenisCatatan.BIMBINGAN:
        raise InvalidTransition(_("Format B.1.8 hanya untuk catatan bimbingan kinerja."))
    locked = CatatanKinerja.objects.select_for_update().get(pk=catatan.pk)
    if locked.b18_diisi_at is not None:
        raise InvalidTransition(_("Format B.1.8 untuk bimbingan ini sudah diisi."))
    errors: dict[str, list[str]] = {}
    rows = []
    for p in pernyataan_b18_current():
        jawab, ket = jawaban.get(p.pk, ("", ""))
        if jawab not in JawabanB18.values:
            errors[f"p{p.pk}"] = [_("Pilih Ya atau Tidak.")]
            continue
        ket = (ket or "").strip()
        if len(ket) > MAX_TEXT:
            errors[f"p{p.pk}_ket"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        rows.append(
            JawabanBimbingan(
                instansi_id=catatan.instansi_id, catatan=catatan, pernyataan=p, jawaban=jawab, keterangan=ket
            )
        )
    if errors:
        raise ApplicationError(_("Jawab semua pernyataan Format B.1.8."), errors=errors)
    JawabanBimbingan.objects.bulk_create(rows)
    locked.b18_diisi_at = timezone.now()
    locked.save(update_fields=["b18_diisi_at", "updated_at"])
    audit_log(
        actor=actor,
        instansi=catatan.instansi_id,
        action="dialog.b18",
        obj=catatan,
        after={str(r.pernyataan.kode): r.jawaban for r in rows},
    )
    return locked


@transaction.atomic
def bimbingan_kompetensi_nilai(
    *, actor: User, catatan: CatatanKinerja, penilaian: dict[int, tuple[Any, str]]
) -> CatatanKinerja:
    """The leader evaluates the pegawai's competences after a bimbingan (Format B.1.9 "Evaluasi Kompetensi
    Pegawai sebagai Tindak Lanjut Bimbingan Kinerja", PMK6 Lampiran p.84, domain.md §5: kompetensi, nilai
    skala 1-5, alasan), once. ``penilaian`` maps competence id -> (nilai or empty = not rated, alasan); at
    least one competence is rated and every rated one needs a reason. Audited; the pegawai is notified."""
    own = _own(actor)
    if not (own.pk == catatan.pimpinan_id or is_pimpinan_of(user=actor, pegawai=catatan.pegawai)):
        raise ReadOnly(_("Format B.1.9 diisi oleh Pejabat Penilai yang membimbing."))
    if catatan.jenis != JenisCatatan.BIMBINGAN:
        raise InvalidTransition(_("Format B.1.9 hanya untuk catatan bimbingan kinerja."))
    locked = CatatanKinerja.objects.select_for_update().get(pk=catatan.pk)
    if locked.b19_diisi_at is not None:
        raise InvalidTransition(_("Format B.1.9 untuk bimbingan ini sudah diisi."))
    errors: dict[str, list[str]] = {}
    rows: list[PenilaianKompetensi] = []
    kompetensi: list[KompetensiB19] = kompetensi_b19_current()
    for k in kompetensi:
        raw, alasan = penilaian.get(k.pk, ("", ""))
        alasan = (alasan or "").strip()
        if raw in (None, ""):
            if alasan:
                errors[f"k{k.pk}"] = [_("Pilih nilai 1 sampai 5, atau kosongkan alasannya.")]
            continue
        nilai = _as_int(raw)
        if nilai is None or not 1 <= nilai <= 5:
            errors[f"k{k.pk}"] = [_("Nilai harus 1 sampai 5.")]
            continue
        if not alasan:
            errors[f"k{k.pk}_alasan"] = [_("Tuliskan alasan nilai ini.")]
        elif len(alasan) > MAX_TEXT:
            errors[f"k{k.pk}_alasan"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        rows.append(
            PenilaianKompetensi(
                instansi_id=catatan.instansi_id, catatan=catatan, kompetensi=k, nilai=nilai, alasan=alasan
            )
        )
    if not rows and not errors:
        errors["__all__"] = [_("Nilai paling sedikit satu kompetensi.")]
    if errors:
        raise ApplicationError(_("Format B.1.9 belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    PenilaianKompetensi.objects.bulk_create(rows)
    locked.b19_diisi_at = timezone.now()
    locked.save(update_fields=["b19_diisi_at", "updated_at"])
    audit_log(
        actor=actor,
        instansi=catatan.instansi_id,
        action="dialog.b19",
        obj=catatan,
        after={r.kompetensi.kode: r.nilai for r in rows},
    )
    pegawai = Pegawai.objects.select_related("user").get(pk=catatan.pegawai_id)
    notifikasi_create(
        instansi=catatan.instansi_id,
        penerima=pegawai.user,
        aktor=actor,
        jenis=JenisNotifikasi.CATATAN,
        judul=f"Evaluasi kompetensi (Format B.1.9) atas bimbingan {catatan.tanggal:%d-%m-%Y} oleh {own.nama}",
        tautan=reverse("dialog:catatan-detail", args=[catatan.pk]),
    )
    return locked


# ---------------------------------------------------------------- penugasan


def _validate_penugasan(
    errors: dict[str, list[str]],
    *,
    hasil_kerja: str,
    indikator: list[dict[str, Any]],
    mulai: Any,
    selesai: Any,
) -> tuple[str, list[dict[str, str]]]:
    hasil_kerja = _teks(errors, "hasil_kerja", hasil_kerja, wajib=True, label=_("Hasil kerja"))
    clean: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, ind in enumerate(indikator or []):
        aspek = (ind.get("aspek") or "").strip()
        iki = (ind.get("iki") or "").strip()
        target = (ind.get("target") or "").strip()
        if not aspek and not iki and not target:
            continue
        if aspek not in Aspek.values:
            errors[f"indikator.{i}.aspek"] = [_("Pilih aspek: kuantitas, kualitas, waktu, atau biaya.")]
        elif aspek in seen:
            errors[f"indikator.{i}.aspek"] = [_("Setiap aspek hanya boleh dipakai sekali.")]
        seen.add(aspek)
        if not iki:
            errors[f"indikator.{i}.iki"] = [_("Indikator kinerja wajib diisi.")]
        if len(target) > 255:
            errors[f"indikator.{i}.target"] = [_("Target paling banyak 255 karakter.")]
        clean.append({"aspek": aspek, "iki": iki, "target": target})
    if not clean:
        errors["indikator"] = [_("Isi minimal satu indikator (aspek, indikator, target).")]
    elif len(clean) > 4:
        errors["indikator"] = [_("Paling banyak 4 indikator (satu per aspek).")]
    if not isinstance(mulai, dt.date):
        errors["mulai"] = [_("Isi tanggal mulai.")]
    if not isinstance(selesai, dt.date):
        errors["selesai"] = [_("Isi tanggal selesai.")]
    elif isinstance(mulai, dt.date) and selesai < mulai:
        errors["selesai"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    elif selesai < timezone.localdate():
        errors["selesai"] = [_("Penugasan yang sudah berakhir tidak dapat diajukan.")]
    return hasil_kerja, clean


def _penugasan_label(pemberi: Pegawai) -> str:
    return f"{pemberi.jabatan.nama} ({pemberi.nama})"


def _notify_pegawai(pegawai_id: int | None, **kwargs: Any) -> None:
    if pegawai_id is None:
        return
    p = Pegawai.objects.select_related("user").get(pk=pegawai_id)
    notifikasi_create(penerima=p.user, **kwargs)


@transaction.atomic
def penugasan_propose(
    *,
    actor: User,
    pegawai: Pegawai,
    hasil_kerja: str,
    indikator: list[dict[str, Any]],
    mulai: dt.date | None,
    selesai: dt.date | None,
    pesan: str = "",
) -> Penugasan:
    """An official assigns work to a pegawai. From outside the leader line it goes to the pegawai's
    Pejabat Penilai first (status ``diusulkan``); from the Pejabat Penilai it is accepted at once."""
    own = _own(actor)
    errors: dict[str, list[str]] = {}
    if pegawai.pk == own.pk or pegawai.instansi_id != own.instansi_id:
        errors["pegawai"] = [_("Pilih pegawai lain di instansi Anda.")]
    hasil_kerja, indikator_clean = _validate_penugasan(
        errors, hasil_kerja=hasil_kerja, indikator=indikator, mulai=mulai, selesai=selesai
    )
    pesan = _teks(errors, "pesan", pesan, wajib=False, label=_("Pesan"))
    if pegawai.atasan_id is None and not errors:
        errors["pegawai"] = [_("Pegawai ini belum memiliki Pejabat Penilai; hubungi admin kepegawaian.")]
    if errors or mulai is None or selesai is None:
        raise ApplicationError(_("Penugasan belum terkirim. Periksa isian yang ditandai."), errors=errors)
    p = Penugasan.objects.create(
        instansi_id=own.instansi_id,
        pemberi=own,
        pegawai=pegawai,
        penilai_id=pegawai.atasan_id,
        hasil_kerja=hasil_kerja,
        indikator=indikator_clean,
        mulai=mulai,
        selesai=selesai,
        pesan=pesan,
        status=StatusPenugasan.DIUSULKAN,
    )
    _aktivitas(
        instansi_id=own.instansi_id,
        pegawai_id=pegawai.pk,
        aktor=actor,
        jenis="penugasan.diusulkan",
        ringkasan=f"{own.nama}: {hasil_kerja[:300]}",
        objek=p,
    )
    audit_log(
        actor=actor,
        instansi=own.instansi_id,
        action="dialog.penugasan_usul",
        obj=p,
        after={"pegawai": pegawai.pk},
    )
    if is_pimpinan_of(user=actor, pegawai=pegawai) and skp_for_penugasan(pegawai=pegawai, mulai=p.mulai):
        return penugasan_accept(actor=actor, penugasan=p)  # the leader assigns: no one else to ask
    _notify_pegawai(
        pegawai.atasan_id,
        instansi=own.instansi_id,
        aktor=actor,
        jenis=JenisNotifikasi.PENUGASAN,
        judul=f"{own.nama} mengusulkan penugasan untuk {pegawai.nama}",
        pesan=hasil_kerja[:1000],
        tautan=reverse("dialog:penugasan-detail", args=[p.pk]),
    )
    return p


@transaction.atomic
def penugasan_open(
    *,
    actor: User,
    hasil_kerja: str,
    indikator: list[dict[str, Any]],
    mulai: dt.date | None,
    selesai: dt.date | None,
    pesan: str = "",
) -> Penugasan:
    """An official opens an assignment to volunteers (each volunteer still needs their leader's approval)."""
    own = _own(actor)
    errors: dict[str, list[str]] = {}
    hasil_kerja, indikator_clean = _validate_penugasan(
        errors, hasil_kerja=hasil_kerja, indikator=indikator, mulai=mulai, selesai=selesai
    )
    pesan = _teks(errors, "pesan", pesan, wajib=False, label=_("Pesan"))
    if errors or mulai is None or selesai is None:
        raise ApplicationError(_("Penugasan terbuka belum tersimpan."), errors=errors)
    p = Penugasan.objects.create(
        instansi_id=own.instansi_id,
        pemberi=own,
        hasil_kerja=hasil_kerja,
        indikator=indikator_clean,
        mulai=mulai,
        selesai=selesai,
        pesan=pesan,
        status=StatusPenugasan.TERBUKA,
    )
    audit_log(actor=actor, instansi=own.instansi_id, action="dialog.penugasan_terbuka", obj=p)
    return p


@transaction.atomic
def penugasan_volunteer(*, actor: User, lowongan: Penugasan, pesan: str = "") -> Penugasan:
    """A pegawai volunteers for an open assignment; it goes to their Pejabat Penilai for approval."""
    own = _own(actor)
    if lowongan.status != StatusPenugasan.TERBUKA or lowongan.selesai < timezone.localdate():
        raise InvalidTransition(_("Penugasan ini sudah ditutup."))
    if lowongan.pemberi_id == own.pk:
        raise ApplicationError(
            _("Anda pemberi penugasan ini."),
            errors={"lowongan": [_("Anda tidak dapat menjadi relawan penugasan Anda sendiri.")]},
        )
    if own.atasan_id is None:
        raise ApplicationError(
            _("Anda belum memiliki Pejabat Penilai."), errors={"lowongan": [_("Hubungi admin kepegawaian.")]}
        )
    active = Penugasan.objects.filter(
        instansi_id=own.instansi_id,
        lowongan=lowongan,
        pegawai=own,
        status__in=[StatusPenugasan.DIUSULKAN, StatusPenugasan.DITERIMA],
    )
    if active.exists():
        raise InvalidTransition(_("Anda sudah mendaftar untuk penugasan ini."))
    errors: dict[str, list[str]] = {}
    pesan = _teks(errors, "pesan", pesan, wajib=False, label=_("Pesan"))
    if errors:
        raise ApplicationError(_("Pendaftaran belum terkirim."), errors=errors)
    p = Penugasan.objects.create(
        instansi_id=own.instansi_id,
        pemberi_id=lowongan.pemberi_id,
        pegawai=own,
        penilai_id=own.atasan_id,
        lowongan=lowongan,
        sukarela=True,
        hasil_kerja=lowongan.hasil_kerja,
        indikator=lowongan.indikator,
        mulai=max(lowongan.mulai, timezone.localdate()),
        selesai=lowongan.selesai,
        pesan=pesan,
        status=StatusPenugasan.DIUSULKAN,
    )
    _aktivitas(
        instansi_id=own.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="penugasan.relawan",
        ringkasan=lowongan.hasil_kerja[:300],
        objek=p,
    )
    audit_log(
        actor=actor,
        instansi=own.instansi_id,
        action="dialog.penugasan_relawan",
        obj=p,
        after={"lowongan": lowongan.pk},
    )
    tautan = reverse("dialog:penugasan-detail", args=[p.pk])
    _notify_pegawai(
        own.atasan_id,
        instansi=own.instansi_id,
        aktor=actor,
        jenis=JenisNotifikasi.PENUGASAN,
        judul=f"{own.nama} mendaftar sebagai relawan penugasan; perlu persetujuan Anda",
        pesan=lowongan.hasil_kerja[:1000],
        tautan=tautan,
    )
    _notify_pegawai(
        lowongan.pemberi_id,
        instansi=own.instansi_id,
        aktor=actor,
        jenis=JenisNotifikasi.PENUGASAN,
        judul=f"{own.nama} mendaftar sebagai relawan penugasan Anda",
        tautan=tautan,
    )
    return p


def _require_penilai_penugasan(*, actor: User, penugasan: Penugasan) -> Pegawai:
    own = _own(actor)
    pegawai = penugasan.pegawai
    if pegawai is None:
        raise NotFoundOrForbidden()
    if own.pk == penugasan.penilai_id or is_pimpinan_of(user=actor, pegawai=pegawai):
        return own
    raise NotFoundOrForbidden()


def _grant_izin(p: Penugasan) -> None:
    pemberi_user = User.objects.get(pegawai__pk=p.pemberi_id)
    assign_perm(PERM_UMPAN_BALIK_PENUGASAN, pemberi_user, p)
    Penugasan.objects.filter(pk=p.pk).update(izin_aktif=True)
    p.izin_aktif = True


def _revoke_izin(p: Penugasan) -> None:
    pemberi_user = User.objects.get(pegawai__pk=p.pemberi_id)
    remove_perm(PERM_UMPAN_BALIK_PENUGASAN, pemberi_user, p)
    Penugasan.objects.filter(pk=p.pk).update(izin_aktif=False)
    p.izin_aktif = False


def _berlaku(p: Penugasan, today: dt.date) -> bool:
    return p.status == StatusPenugasan.DITERIMA and p.mulai <= today <= p.selesai


@transaction.atomic
def penugasan_accept(
    *, actor: User, penugasan: Penugasan, jenis: str = JenisRhk.TAMBAHAN, catatan: str = ""
) -> Penugasan:
    """The Pejabat Penilai accepts (``diusulkan`` → ``diterima``): the assignment becomes a hasil kerja in
    the pegawai's SKP marked with who assigned it, and the assigning official may give feedback on it
    while the assignment runs (guardian permission granted now if current, else by the beat task)."""
    _require_penilai_penugasan(actor=actor, penugasan=penugasan)
    locked = Penugasan.objects.select_for_update().get(pk=penugasan.pk)
    if locked.status != StatusPenugasan.DIUSULKAN:
        raise InvalidTransition(_("Penugasan ini sudah diputuskan atau dibatalkan."))
    if locked.pegawai_id is None:
        raise NotFoundOrForbidden()
    pegawai = Pegawai.objects.select_related("jabatan").get(pk=locked.pegawai_id)
    skp = skp_for_penugasan(pegawai=pegawai, mulai=locked.mulai)
    if skp is None:
        raise ApplicationError(
            _(
                "Pegawai belum memiliki SKP untuk masa penugasan ini. Minta pegawai menyusun SKP terlebih dahulu."
            ),
            errors={"skp": [_("SKP untuk masa penugasan tidak ditemukan.")]},
        )
    from skp.services_penugasan import skp_rhk_add_from_penugasan

    pemberi = Pegawai.objects.select_related("jabatan").get(pk=locked.pemberi_id)
    rhk = skp_rhk_add_from_penugasan(
        actor=actor,
        skp=skp,
        rencana_hasil_kerja=locked.hasil_kerja,
        indikator=locked.indikator,
        penugasan_dari=_penugasan_label(pemberi),
        jenis=jenis,
    )
    now = timezone.now()
    locked.status, locked.skp, locked.rhk = StatusPenugasan.DITERIMA, skp, rhk
    locked.diputuskan_oleh, locked.diputuskan_at = actor, now
    locked.catatan_keputusan = (catatan or "").strip()[:MAX_TEXT]
    locked.save(
        update_fields=[
            "status",
            "skp",
            "rhk",
            "diputuskan_oleh",
            "diputuskan_at",
            "catatan_keputusan",
            "updated_at",
        ]
    )
    if _berlaku(locked, timezone.localdate()):
        _grant_izin(locked)
    _aktivitas(
        instansi_id=locked.instansi_id,
        pegawai_id=pegawai.pk,
        aktor=actor,
        jenis="penugasan.diterima",
        ringkasan=f"{locked.hasil_kerja[:200]} — dari {_penugasan_label(pemberi)}",
        objek=locked,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="dialog.penugasan_terima",
        obj=locked,
        after={"skp": skp.pk, "rhk": rhk.pk, "izin_aktif": locked.izin_aktif},
    )
    tautan = reverse("dialog:penugasan-detail", args=[locked.pk])
    for pid in {locked.pemberi_id, locked.pegawai_id}:
        _notify_pegawai(
            pid,
            instansi=locked.instansi_id,
            aktor=actor,
            jenis=JenisNotifikasi.PENUGASAN,
            judul=f"Penugasan untuk {pegawai.nama} diterima Pejabat Penilai",
            pesan=locked.hasil_kerja[:1000],
            tautan=tautan,
        )
    return locked


@transaction.atomic
def penugasan_reject(*, actor: User, penugasan: Penugasan, catatan: str) -> Penugasan:
    """The Pejabat Penilai declines a proposal, with a reason the assigning official sees."""
    _require_penilai_penugasan(actor=actor, penugasan=penugasan)
    errors: dict[str, list[str]] = {}
    catatan = _teks(errors, "catatan", catatan, wajib=True, label=_("Alasan penolakan"))
    if errors:
        raise ApplicationError(_("Tuliskan alasan penolakan."), errors=errors)
    updated = Penugasan.objects.filter(pk=penugasan.pk, status=StatusPenugasan.DIUSULKAN).update(
        status=StatusPenugasan.DITOLAK,
        catatan_keputusan=catatan,
        diputuskan_oleh=actor,
        diputuskan_at=timezone.now(),
    )
    if updated != 1:
        raise InvalidTransition(_("Penugasan ini sudah diputuskan atau dibatalkan."))
    penugasan.refresh_from_db()
    _aktivitas(
        instansi_id=penugasan.instansi_id,
        pegawai_id=penugasan.pegawai_id,  # type: ignore[arg-type]
        aktor=actor,
        jenis="penugasan.ditolak",
        ringkasan=f"{penugasan.hasil_kerja[:200]} — {catatan[:200]}",
        objek=penugasan,
    )
    audit_log(
        actor=actor,
        instansi=penugasan.instansi_id,
        action="dialog.penugasan_tolak",
        obj=penugasan,
        after={"catatan": catatan},
    )
    for pid in {penugasan.pemberi_id, penugasan.pegawai_id}:
        _notify_pegawai(
            pid,
            instansi=penugasan.instansi_id,
            aktor=actor,
            jenis=JenisNotifikasi.PENUGASAN,
            judul="Penugasan tidak disetujui Pejabat Penilai",
            pesan=catatan,
            tautan=reverse("dialog:penugasan-detail", args=[penugasan.pk]),
        )
    return penugasan


@transaction.atomic
def penugasan_cancel(*, actor: User, penugasan: Penugasan) -> Penugasan:
    """The assigning official withdraws a pending proposal or closes an open call."""
    own = _own(actor)
    if own.pk != penugasan.pemberi_id:
        raise NotFoundOrForbidden()
    transitions = {
        StatusPenugasan.DIUSULKAN: StatusPenugasan.DIBATALKAN,
        StatusPenugasan.TERBUKA: StatusPenugasan.DITUTUP,
    }
    ke = transitions.get(penugasan.status)  # type: ignore[call-overload]
    updated = (
        Penugasan.objects.filter(pk=penugasan.pk, status=penugasan.status).update(status=ke)
        if ke is not None
        else 0
    )
    if updated != 1:
        raise InvalidTransition(_("Penugasan ini sudah diputuskan dan tidak dapat dibatalkan."))
    audit_log(
        actor=actor,
        instansi=penugasan.instansi_id,
        action="dialog.penugasan_batal",
        obj=penugasan,
        after={"status": ke},
    )
    penugasan.refresh_from_db()
    return penugasan


@transaction.atomic
def penugasan_izin_sync(*, instansi: Instansi, today: dt.date | None = None) -> tuple[int, int]:
    """Grant the feedback permission of accepted assignments whose range has started, revoke it where the
    range ended (or the assignment is no longer accepted). Idempotent. Returns (granted, revoked)."""
    today = today or timezone.localdate()
    base = Penugasan.objects.filter(instansi=instansi)
    to_grant = list(
        base.filter(status=StatusPenugasan.DITERIMA, izin_aktif=False, mulai__lte=today, selesai__gte=today)
    )
    to_revoke = list(
        base.filter(izin_aktif=True).exclude(
            status=StatusPenugasan.DITERIMA, mulai__lte=today, selesai__gte=today
        )
    )
    for p in to_grant:
        _grant_izin(p)
    for p in to_revoke:
        _revoke_izin(p)
    if to_grant or to_revoke:
        audit_log(
            actor=None,
            instansi=instansi,
            action="dialog.penugasan_izin_sync",
            object_type="dialog.penugasan",
            after={"granted": [p.pk for p in to_grant], "revoked": [p.pk for p in to_revoke]},
        )
    return len(to_grant), len(to_revoke)


# ---------------------------------------------------------------- reminders


def pengingat_periode(*, instansi: Instansi, today: dt.date | None = None) -> int:
    """Reminders for periods ending within ``DIALOG_PENGINGAT_HARI`` days (default 7): the pegawai whose
    approved SKP still has indicators without realisasi, and the leader who has not yet given feedback to
    someone they appraise. Idempotent through ``Notifikasi.kunci`` (one per person per period)."""
    today = today or timezone.localdate()
    days = int(getattr(settings, "DIALOG_PENGINGAT_HARI", 7))
    periods = list(
        Periode.objects.filter(
            instansi=instansi, selesai__gte=today, selesai__lte=today + dt.timedelta(days=days)
        )
    )
    sent = 0
    for periode in periods:
        sent += _pengingat_satu_periode(instansi=instansi, periode=periode)
    return sent


@transaction.atomic
def _pengingat_satu_periode(*, instansi: Instansi, periode: Periode) -> int:
    skps = list(
        Skp.objects.filter(
            instansi=instansi,
            status=SkpStatus.DISETUJUI,
            periode_mulai__lte=periode.selesai,
            periode_selesai__gte=periode.mulai,
        ).select_related("pegawai__user", "pejabat_penilai__user")
    )
    ids = [s.pk for s in skps]
    n_indikator = dict(
        Indikator.objects.filter(instansi=instansi, rhk__skp_id__in=ids)
        .values("rhk__skp_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("rhk__skp_id", "n")
    )
    n_realisasi = dict(
        Realisasi.objects.filter(instansi=instansi, periode=periode, skp_id__in=ids)
        .values("skp_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("skp_id", "n")
    )
    feedback_from_leader = set(
        UmpanBalik.objects.filter(
            instansi=instansi, periode=periode, peran_pemberi=PeranPemberi.PEJABAT_PENILAI, skp_id__in=ids
        ).values_list("skp_id", flat=True)
    )
    sent = 0
    belum: dict[int, list[Skp]] = {}
    for s in skps:
        kosong = n_indikator.get(s.pk, 0) - n_realisasi.get(s.pk, 0)
        if kosong > 0:
            n = notifikasi_create(
                instansi=instansi,
                penerima=s.pegawai.user,
                jenis=JenisNotifikasi.PENGINGAT_REALISASI,
                judul=f"{kosong} indikator belum ada realisasinya untuk {periode} (berakhir {periode.selesai:%d-%m-%Y})",
                tautan=f"{reverse('dialog:realisasi', args=[s.pk])}?periode={periode.pk}",
                kunci=f"pengingat_realisasi:{periode.pk}:{s.pk}",
            )
            sent += n is not None
        if s.pejabat_penilai_id and s.pk not in feedback_from_leader:
            belum.setdefault(s.pejabat_penilai_id, []).append(s)
    for skps_belum in belum.values():
        leader = skps_belum[0].pejabat_penilai
        if leader is None:
            continue
        names = ", ".join(s.pegawai.nama for s in skps_belum[:10]) + ("…" if len(skps_belum) > 10 else "")
        n = notifikasi_create(
            instansi=instansi,
            penerima=leader.user,
            jenis=JenisNotifikasi.PENGINGAT_UMPAN_BALIK,
            judul=f"Umpan balik {periode} belum Anda berikan kepada {len(skps_belum)} pegawai",
            pesan=names,
            tautan=reverse("dialog:tim") + f"?periode={periode.pk}",
            kunci=f"pengingat_umpan_balik:{periode.pk}",
        )
        sent += n is not None
    return sent
