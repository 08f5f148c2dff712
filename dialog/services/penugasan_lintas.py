"""Penugasan across instansi (domain.md "Penugasan across instansi": allowed when the receiving pegawai's
Pejabat Penilai accepts; the assigner gets time-bound feedback rights only; §2.2 "even other instansi").

Design (tenant isolation stays absolute):

1. Two rows, each in its own tenant, paired by a random ``kunci``: ``PenugasanKeluar`` in the assigner's
   instansi A (what the assigner typed + the decision sent back) and ``PenugasanLintas`` in the receiving
   instansi B (the proposal the Pejabat Penilai decides). Neither has a foreign key into the other tenant:
   the assigner is recorded in B by value (instansi, NIP, name, jabatan), the target in A by the NIP the
   assigner typed.
2. The only cross-tenant step is ``_di_instansi_lain``: the database tenant (RLS) and the scope switch to
   the other instansi for the few statements written at each use, and back (``kinerja.tenancy.tenant_context``
   restores the outer state on exit). It is used for: the NIP lookup (values, existence only: "not found"
   and "no Pejabat Penilai" give the same message), inserting B's proposal and its notification, mirroring
   B's decision into A's row, and inserting the assigner's feedback into B. Nothing read in the other
   tenant is returned to the caller except that same decision. ``tests/dialog/test_penugasan_lintas.py``
   greps that this module is the only place in dialog/ that switches tenants.
3. Every step is audited in both instansi, and runs in one transaction.
4. Abuse limits (docs/security.md, "Penugasan lintas instansi: pembatasan"): only a leader may propose
   (``boleh_usul_lintas``: the pejabat_penilai role, or a jabatan struktural), else 403; each user has
   ``KINERJA_LINTAS_PER_JAM`` / ``KINERJA_LINTAS_PER_HARI`` attempts that reach the lookup in the
   other instansi (found or not), counted atomically in the cache (Redis), else 429 with Retry-After;
   an unknown NIP and one that cannot receive a penugasan (not active, no Pejabat Penilai) give the
   same 400 ``pesan_nip_tidak_dapat``.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog.models import (
    MAX_TEKS,
    JenisNotifikasi,
    PenugasanKeluar,
    PenugasanLintas,
    StatusLintas,
    UmpanBalikLintas,
)
from dialog.selectors import is_pimpinan_of, skp_for_penugasan
from kinerja.exceptions import (
    ApplicationError,
    InvalidTransition,
    NotFoundOrForbidden,
    ReadOnly,
    TooManyRequests,
)
from kinerja.models import Instansi, Pegawai, Role, User
from kinerja.models.org import JPT, JenisJabatan
from kinerja.selectors.people import roles_of
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of, tenant_context
from skp.models import JenisRhk


@contextmanager
def _di_instansi_lain(instansi_id: int) -> Iterator[None]:
    """Run the body as instansi ``instansi_id`` (scope + RLS), then return to the caller's instansi.
    The one reviewed cross-tenant switch of the dialog app (see the module docstring)."""
    with tenant_context(instansi_id):
        yield


def _own(actor: User) -> Pegawai:
    own = pegawai_of(actor)
    if own is None:
        raise NotFoundOrForbidden()
    return Pegawai.objects.select_related("jabatan", "instansi").get(pk=own.pk)


def _notify(*, instansi_id: int, pegawai_id: int, judul: str, pesan: str, tautan: str) -> None:
    from dialog.services.notifikasi import notifikasi_create

    p = Pegawai.objects.select_related("user").get(instansi_id=instansi_id, pk=pegawai_id)
    notifikasi_create(
        instansi=instansi_id,
        penerima=p.user,
        aktor=None,  # the actor is an account of another instansi: never referenced across tenants
        jenis=JenisNotifikasi.PENUGASAN,
        judul=judul[:255],
        pesan=pesan,
        tautan=tautan,
    )


# ---------------------------------------------------------------- who may propose, and how often

#: Jabatan struktural: JPT, administrator, pengawas (a leader even before their bawahan are listed).
STRUKTURAL = frozenset({*JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS})


def pesan_nip_tidak_dapat() -> str:
    """One answer for an unknown NIP, a pegawai not active, and one without Pejabat Penilai."""
    return _("NIP tidak ditemukan atau tidak dapat menerima penugasan.")


def pesan_bukan_pimpinan() -> str:
    return _(
        "Penugasan untuk pegawai instansi lain hanya dapat diusulkan oleh pimpinan (Pejabat Penilai "
        "atau pejabat struktural)."
    )


def boleh_usul_lintas(*, user: User, own: Pegawai | None, roles: list[str] | None = None) -> bool:
    """A leader of their own instansi: someone's Pejabat Penilai (the derived ``pejabat_penilai`` role
    of ``roles_of``: active bawahan or an active delegation) or a pegawai with a jabatan struktural.
    ``roles`` may be the request's roles in ``own``'s instansi (saves their queries)."""
    if own is None:
        return False
    if own.jabatan.jenis in STRUKTURAL:
        return True
    if roles is None:
        roles = roles_of(user=user, instansi=own.instansi)
    return Role.PEJABAT_PENILAI.value in roles


def _batas() -> tuple[tuple[int, int], ...]:
    """(count, window seconds) pairs: per hour, per day."""
    return (
        (int(settings.KINERJA_LINTAS_PER_JAM), 3600),
        (int(settings.KINERJA_LINTAS_PER_HARI), 24 * 3600),
    )


def _batas_key(user_id: int, window: int, now: float) -> str:
    """The user's fixed-window counter (no NIP, nothing typed: only the account id and the window)."""
    return f"kinerja:lintas:{user_id}:{window}:{int(now // window)}"


def _terlalu_sering(detik: int) -> TooManyRequests:
    menit = max(1, -(-detik // 60))
    if menit > 90:  # the day's budget: say hours, not "1260 menit"
        pesan = _(
            "Batas harian usulan penugasan lintas instansi sudah tercapai. Coba lagi dalam %(jam)s jam."
        ) % {"jam": -(-menit // 60)}
    else:
        pesan = _(
            "Terlalu banyak usulan penugasan lintas instansi dalam waktu singkat. "
            "Coba lagi dalam %(menit)s menit."
        ) % {"menit": menit}
    return TooManyRequests(pesan, retry_after=detik)


def lintas_batas_cek(*, user: User) -> None:
    """Refuse (429) when the user has no attempt left in a window; counts nothing (read-only)."""
    now = time.time()
    for count, window in _batas():
        used = cache.get(_batas_key(user.pk, window, now)) or 0
        if int(used) >= count:
            raise _terlalu_sering(window - int(now % window))


def lintas_batas_pakai(*, user: User) -> None:
    """Use one attempt (atomic ``INCR`` on each window's counter, created with its expiry); 429 when
    that goes over a limit. Called before the lookup in the other instansi, so failed lookups count."""
    now = time.time()
    over: int | None = None
    for count, window in _batas():
        key = _batas_key(user.pk, window, now)
        cache.add(key, 0, timeout=window + 60)
        try:
            n = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 60)
            n = 1
        if n > count:
            over = max(over or 0, window - int(now % window))
    if over is not None:
        raise _terlalu_sering(over)


@transaction.atomic
def penugasan_lintas_propose(
    *,
    actor: User,
    instansi_kode: str,
    nip: str,
    hasil_kerja: str,
    indikator: list[dict[str, Any]],
    mulai: dt.date | None,
    selesai: dt.date | None,
    pesan: str = "",
) -> PenugasanKeluar:
    """An official proposes work to a pegawai of ANOTHER instansi. It goes to that pegawai's Pejabat
    Penilai (status ``diusulkan``); the assigner keeps their own record. Audited in both instansi."""
    from dialog.services._common import _teks
    from dialog.services.penugasan import _validate_penugasan

    own = _own(actor)
    if not boleh_usul_lintas(user=actor, own=own):
        raise ReadOnly(pesan_bukan_pimpinan())
    lintas_batas_cek(user=actor)
    errors: dict[str, list[str]] = {}
    kode = (instansi_kode or "").strip().upper()
    nip = "".join((nip or "").split())
    if not kode:
        errors["instansi"] = [_("Isi kode instansi pegawai yang ditugaskan.")]
    if not nip:
        errors["nip"] = [_("Isi NIP pegawai yang ditugaskan.")]
    hasil_kerja, indikator_clean = _validate_penugasan(
        errors, hasil_kerja=hasil_kerja, indikator=indikator, mulai=mulai, selesai=selesai
    )
    pesan = _teks(errors, "pesan", pesan, wajib=False, label=_("Pesan"))
    if errors or mulai is None or selesai is None:  # nothing looked up yet: costs no attempt
        raise ApplicationError(_("Penugasan belum terkirim. Periksa isian yang ditandai."), errors=errors)
    lintas_batas_pakai(user=actor)  # from here on the attempt counts, found or not
    tujuan = Instansi.objects.filter(kode=kode, aktif=True).first()
    if tujuan is None:
        errors["instansi"] = [_("Instansi dengan kode ini tidak ditemukan.")]
    elif tujuan.pk == own.instansi_id:
        errors["instansi"] = [_("Pegawai instansi Anda sendiri ditugaskan melalui penugasan biasa.")]
    if errors or tujuan is None:
        raise ApplicationError(_("Penugasan belum terkirim. Periksa isian yang ditandai."), errors=errors)
    kunci = uuid.uuid4()
    with _di_instansi_lain(tujuan.pk):
        target = (
            Pegawai.objects.filter(instansi_id=tujuan.pk, nip=nip, aktif=True, atasan__isnull=False)
            .values("pk", "atasan_id")
            .first()
        )
        if target is None:
            raise ApplicationError(
                _("Penugasan belum terkirim. Periksa isian yang ditandai."),
                errors={"nip": [pesan_nip_tidak_dapat()]},
            )
        masuk = PenugasanLintas.objects.create(
            instansi_id=tujuan.pk,
            kunci=kunci,
            pegawai_id=target["pk"],
            penilai_id=target["atasan_id"],
            pemberi_instansi_id=own.instansi_id,
            pemberi_nip=own.nip,
            pemberi_nama=own.nama,
            pemberi_jabatan=own.jabatan.nama,
            hasil_kerja=hasil_kerja,
            indikator=indikator_clean,
            mulai=mulai,
            selesai=selesai,
            pesan=pesan,
        )
        audit_log(
            actor=actor,
            instansi=tujuan.pk,
            action="dialog.penugasan_lintas_usul",
            obj=masuk,
            after={"dari_instansi": own.instansi.kode, "dari_nip": own.nip},
        )
        _notify(
            instansi_id=tujuan.pk,
            pegawai_id=target["atasan_id"],
            judul=f"Usulan penugasan dari {own.instansi.nama} ({own.nama}); perlu keputusan Anda",
            pesan=hasil_kerja[:1000],
            tautan=reverse("dialog:penugasan-lintas-detail", args=[masuk.pk]),
        )
    keluar = PenugasanKeluar.objects.create(
        instansi_id=own.instansi_id,
        kunci=kunci,
        pemberi=own,
        tujuan_instansi=tujuan,
        tujuan_nip=nip,
        hasil_kerja=hasil_kerja,
        indikator=indikator_clean,
        mulai=mulai,
        selesai=selesai,
    )
    audit_log(
        actor=actor,
        instansi=own.instansi_id,
        action="dialog.penugasan_keluar_usul",
        obj=keluar,
        after={"ke_instansi": tujuan.kode, "nip": nip},
    )
    return keluar


def _mirror(*, masuk: PenugasanLintas, actor_kode: str) -> None:
    """Send the receiving side's decision back to the assigner's own record (in their instansi)."""
    with _di_instansi_lain(masuk.pemberi_instansi_id):
        PenugasanKeluar.objects.filter(instansi_id=masuk.pemberi_instansi_id, kunci=masuk.kunci).update(
            status=masuk.status,
            catatan_keputusan=masuk.catatan_keputusan,
            diputuskan_at=masuk.diputuskan_at,
            updated_at=timezone.now(),
        )
        keluar = PenugasanKeluar.objects.filter(
            instansi_id=masuk.pemberi_instansi_id, kunci=masuk.kunci
        ).first()
        if keluar is None:
            return
        audit_log(
            actor=None,
            instansi=masuk.pemberi_instansi_id,
            action="dialog.penugasan_keluar_diputuskan",
            obj=keluar,
            after={"status": masuk.status, "oleh_instansi": actor_kode},
        )
        _notify(
            instansi_id=masuk.pemberi_instansi_id,
            pegawai_id=keluar.pemberi_id,
            judul=f"Penugasan lintas instansi {masuk.get_status_display().lower()} oleh Pejabat Penilai",
            pesan=masuk.catatan_keputusan[:1000],
            tautan=reverse("dialog:penugasan-keluar-detail", args=[keluar.pk]),
        )


@transaction.atomic
def penugasan_lintas_decide(
    *,
    actor: User,
    penugasan: PenugasanLintas,
    terima: bool,
    catatan: str = "",
    jenis: str = JenisRhk.TAMBAHAN,
) -> PenugasanLintas:
    """The receiving pegawai's Pejabat Penilai accepts (the work becomes a hasil kerja of the pegawai's SKP,
    marked with the assigner and their instansi) or declines with a reason. The decision is mirrored to the
    assigner's record. Anyone else: 404."""
    from dialog.services._common import _teks

    own = _own(actor)
    pegawai = Pegawai.objects.get(instansi_id=penugasan.instansi_id, pk=penugasan.pegawai_id)
    if own.instansi_id != penugasan.instansi_id or not (
        own.pk == penugasan.penilai_id or is_pimpinan_of(user=actor, pegawai=pegawai)
    ):
        raise NotFoundOrForbidden()
    locked = PenugasanLintas.objects.select_for_update().get(instansi_id=own.instansi_id, pk=penugasan.pk)
    if locked.status != StatusLintas.DIUSULKAN:
        raise InvalidTransition(_("Penugasan ini sudah diputuskan atau dibatalkan."))
    errors: dict[str, list[str]] = {}
    catatan = _teks(errors, "catatan", catatan, wajib=not terima, label=_("Alasan penolakan"))
    if errors:
        raise ApplicationError(_("Tuliskan alasan penolakan."), errors=errors)
    fields = ["status", "catatan_keputusan", "diputuskan_oleh", "diputuskan_at", "updated_at"]
    if terima:
        skp = skp_for_penugasan(pegawai=pegawai, mulai=locked.mulai)
        if skp is None:
            raise ApplicationError(
                _(
                    "Pegawai belum memiliki SKP untuk masa penugasan ini. Minta pegawai menyusun SKP terlebih dahulu."
                ),
                errors={"skp": [_("SKP untuk masa penugasan tidak ditemukan.")]},
            )
        from skp.services_penugasan import skp_rhk_add_from_penugasan

        pemberi_instansi = Instansi.objects.get(pk=locked.pemberi_instansi_id)
        locked.rhk = skp_rhk_add_from_penugasan(
            actor=actor,
            skp=skp,
            rencana_hasil_kerja=locked.hasil_kerja,
            indikator=locked.indikator,
            penugasan_dari=f"{locked.pemberi_jabatan} ({locked.pemberi_nama}), {pemberi_instansi.nama}"[:255],
            jenis=jenis,
        )
        locked.skp = skp
        fields += ["skp", "rhk"]
    locked.status = StatusLintas.DITERIMA if terima else StatusLintas.DITOLAK
    locked.catatan_keputusan = catatan[:MAX_TEKS]
    locked.diputuskan_oleh, locked.diputuskan_at = actor, timezone.now()
    locked.save(update_fields=fields)
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="dialog.penugasan_lintas_terima" if terima else "dialog.penugasan_lintas_tolak",
        obj=locked,
        after={"status": locked.status, "rhk": locked.rhk_id},
    )
    if terima:
        _notify(
            instansi_id=locked.instansi_id,
            pegawai_id=locked.pegawai_id,
            judul=f"Penugasan dari {locked.pemberi_nama} ({pemberi_instansi.nama}) diterima Pejabat Penilai",
            pesan=locked.hasil_kerja[:1000],
            tautan=reverse("dialog:penugasan-lintas-detail", args=[locked.pk]),
        )
    _mirror(masuk=locked, actor_kode=own.instansi.kode)
    return locked


@transaction.atomic
def penugasan_keluar_cancel(*, actor: User, keluar: PenugasanKeluar) -> PenugasanKeluar:
    """The assigner withdraws a proposal not yet decided (both records become ``dibatalkan``)."""
    own = _own(actor)
    if own.pk != keluar.pemberi_id:
        raise NotFoundOrForbidden()
    if (
        PenugasanKeluar.objects.filter(pk=keluar.pk, status=StatusLintas.DIUSULKAN).update(
            status=StatusLintas.DIBATALKAN, updated_at=timezone.now()
        )
        != 1
    ):
        raise InvalidTransition(_("Penugasan ini sudah diputuskan dan tidak dapat dibatalkan."))
    with _di_instansi_lain(keluar.tujuan_instansi_id):
        n = PenugasanLintas.objects.filter(
            instansi_id=keluar.tujuan_instansi_id, kunci=keluar.kunci, status=StatusLintas.DIUSULKAN
        ).update(status=StatusLintas.DIBATALKAN, updated_at=timezone.now())
        if n != 1:
            raise InvalidTransition(_("Penugasan ini sudah diputuskan dan tidak dapat dibatalkan."))
        masuk = PenugasanLintas.objects.get(instansi_id=keluar.tujuan_instansi_id, kunci=keluar.kunci)
        audit_log(
            actor=actor, instansi=keluar.tujuan_instansi_id, action="dialog.penugasan_lintas_batal", obj=masuk
        )
    audit_log(actor=actor, instansi=own.instansi_id, action="dialog.penugasan_keluar_batal", obj=keluar)
    keluar.refresh_from_db()
    return keluar


@transaction.atomic
def umpan_balik_lintas_give(*, actor: User, keluar: PenugasanKeluar, isi: str) -> PenugasanKeluar:
    """The assigner's only right over the other instansi's pegawai: feedback on the accepted assignment
    while it runs (``mulai`` ≤ today ≤ ``selesai``). Stored in the receiving instansi; the pegawai and
    their Pejabat Penilai are notified."""
    from dialog.services._common import _teks

    own = _own(actor)
    if own.pk != keluar.pemberi_id:
        raise NotFoundOrForbidden()
    today = timezone.localdate()
    tidak_berlaku = _("Umpan balik hanya dapat diberikan selama penugasan yang sudah diterima berjalan.")
    if not keluar.berlaku(today):
        raise InvalidTransition(tidak_berlaku)
    errors: dict[str, list[str]] = {}
    isi = _teks(errors, "isi", isi, wajib=True, label=_("Isi umpan balik"))
    if errors:
        raise ApplicationError(_("Umpan balik belum terkirim."), errors=errors)
    with _di_instansi_lain(keluar.tujuan_instansi_id):
        masuk = (
            PenugasanLintas.objects.select_for_update()
            .filter(instansi_id=keluar.tujuan_instansi_id, kunci=keluar.kunci)
            .first()
        )
        if masuk is None or not masuk.berlaku(today):
            raise InvalidTransition(tidak_berlaku)
        ub = UmpanBalikLintas.objects.create(instansi_id=masuk.instansi_id, penugasan=masuk, isi=isi)
        audit_log(actor=actor, instansi=masuk.instansi_id, action="dialog.umpan_balik_lintas", obj=ub)
        for pid in (masuk.pegawai_id, masuk.penilai_id):
            _notify(
                instansi_id=masuk.instansi_id,
                pegawai_id=pid,
                judul=f"Umpan balik penugasan dari {masuk.pemberi_nama} (instansi lain)",
                pesan=isi[:1000],
                tautan=reverse("dialog:penugasan-lintas-detail", args=[masuk.pk]),
            )
    PenugasanKeluar.objects.filter(pk=keluar.pk).update(umpan_balik_terkirim=F("umpan_balik_terkirim") + 1)
    audit_log(actor=actor, instansi=own.instansi_id, action="dialog.umpan_balik_keluar", obj=keluar)
    keluar.refresh_from_db()
    return keluar
