"""Penugasan within one instansi: proposal via the Pejabat Penilai, open vacancies and volunteers,
accept/reject/cancel, and the time-bound feedback permission of the assigner (``penugasan_izin_sync``).
Penugasan across instansi is ``dialog.services.penugasan_lintas``."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from dialog.models import PERM_UMPAN_BALIK_PENUGASAN, JenisNotifikasi, Penugasan, StatusPenugasan
from dialog.selectors import is_pimpinan_of, skp_for_penugasan
from dialog.services._common import MAX_TEXT, _aktivitas, _own, _teks
from dialog.services.notifikasi import notifikasi_create
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, User
from kinerja.services.audit import audit_log
from skp.models import Aspek, JenisRhk

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
