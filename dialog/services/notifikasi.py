"""Notifications: in-app rows (single and set-based bulk), read marks, e-mail preference, e-mail after
commit, the daily digest, the SKP workflow hooks and the period reminders.

Every public function is keyword-only and atomic. Emails leave only after commit, as Celery tasks
that take ids."""

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog.models import (
    DigestHarian,
    JenisNotifikasi,
    ModeEmail,
    Notifikasi,
    PeranPemberi,
    PreferensiNotifikasi,
    Realisasi,
    StatusEmail,
    UmpanBalik,
)
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, Periode, User
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of
from skp.models import Indikator, Rhk, Skp, SkpStatus
from skp.selectors import Dependan

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
        ).select_related("pegawai__user", "pejabat_penilai__user", "pejabat_penilai_non_asn__user")
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
    # per Pejabat Penilai: a pegawai ("p", id) or a non-ASN official ("n", id; issue #16)
    belum: dict[tuple[str, int], list[Skp]] = {}
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
        if s.pk in feedback_from_leader:
            continue
        if s.pejabat_penilai_id:
            belum.setdefault(("p", s.pejabat_penilai_id), []).append(s)
        elif s.pejabat_penilai_non_asn_id:
            belum.setdefault(("n", s.pejabat_penilai_non_asn_id), []).append(s)
    for skps_belum in belum.values():
        leader = skps_belum[0].pejabat_penilai or skps_belum[0].pejabat_penilai_non_asn
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
