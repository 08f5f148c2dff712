"""Umpan balik (continuous feedback): giving, threads (replies, read marks) and feedback requests.

Objects arrive resolved through ``dialog.access`` (404 for missing/other instansi); ids that are
*fields* of the input (periode, rhk, realisasi, permintaan) are validated here (400)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog.models import (
    BalasanUmpanBalik,
    JenisNotifikasi,
    PeranPemberi,
    PermintaanUmpanBalik,
    Realisasi,
    SifatUmpanBalik,
    StatusPermintaan,
    UmpanBalik,
    UmpanBalikDibaca,
)
from dialog.selectors import (
    is_pimpinan_of,
    kandidat_pemberi,
    kandidat_pemberi_non_asn,
    non_asn_penilai_of,
    penugasan_izin_untuk,
    peran_pemberi_untuk,
    rhk_tim_ketua_ids,
)
from dialog.services._common import _aktivitas, _as_int, _core_value, _own, _periode_for, _rhk_for, _teks
from dialog.services.notifikasi import notifikasi_create
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden, ReadOnly
from kinerja.models import Pegawai, PejabatNonAsn, User
from kinerja.services.audit import audit_log
from kinerja.tenancy import non_asn_of, pegawai_of
from skp.models import Rhk, Skp, SkpStatus

_PERAN_LABEL = dict(PeranPemberi.choices)


def _url_umpan_balik(skp_id: int, ub_id: int | None = None) -> str:
    url = reverse("dialog:umpan-balik-skp", args=[skp_id])
    return f"{url}#ub-{ub_id}" if ub_id else url


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
    gets 404. A non-ASN Pejabat Penilai (issue #16) gives it as the Pejabat Penilai of the pegawai it rates
    (``pemberi_non_asn``). Notifies the owner (email after commit), answers the request it responds to,
    audited."""
    peran = peran_pemberi_untuk(user=actor, skp=skp)
    own = pegawai_of(actor)
    official: PejabatNonAsn | None = None
    if own is None and peran is not None:
        official = non_asn_of(actor)
    if peran is None or (own is None and official is None):
        if own is not None and own.pk == skp.pegawai_id:
            raise NotFoundOrForbidden(_("Anda tidak dapat memberi umpan balik atas SKP Anda sendiri."))
        raise NotFoundOrForbidden()
    nama_pemberi = own.nama if own is not None else official.nama  # type: ignore[union-attr]
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
        # a ketua tim (issue #16): the results cascaded from their own results
        allowed |= rhk_tim_ketua_ids(user=actor, skp=skp)
        if rhk.pk not in allowed:
            errors["rhk"] = [
                _(
                    "Sebagai pemberi penugasan atau ketua tim, Anda memberi umpan balik atas hasil kerja "
                    "penugasan Anda atau hasil kerja yang mendukung hasil kerja Anda."
                )
            ]
    permintaan = None
    if permintaan_id not in (None, ""):
        pk = _as_int(permintaan_id)
        permintaan = (
            PermintaanUmpanBalik.objects.filter(
                instansi_id=skp.instansi_id,
                skp=skp,
                pk=pk,
                # addressed to the giver: their pegawai row, or their non-ASN official row (issue #16)
                **({"diminta": own} if own is not None else {"diminta_non_asn": official}),
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
        pemberi_non_asn=official,
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
        ringkasan=f"{nama_pemberi} ({label}): {isi[:300]}",
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
            "pemberi_non_asn": getattr(official, "pk", None),
        },
    )
    owner = Pegawai.objects.select_related("user").get(pk=skp.pegawai_id)
    notifikasi_create(
        instansi=skp.instansi_id,
        penerima=owner.user,
        aktor=actor,
        jenis=JenisNotifikasi.UMPAN_BALIK,
        judul=f"Umpan balik baru dari {nama_pemberi} ({label})",
        pesan=isi[:1000],
        tautan=_url_umpan_balik(skp.pk, ub.pk),
    )
    return ub


def _peserta_thread(*, actor: User, umpan_balik: UmpanBalik) -> Pegawai | PejabatNonAsn:
    """The receiver, the giver and the receiver's Pejabat Penilai take part in a thread (a non-ASN
    official as the giver or as the receiver's Pejabat Penilai)."""
    own = pegawai_of(actor)
    if own is not None and own.instansi_id == umpan_balik.instansi_id:
        if own.pk in (umpan_balik.penerima_id, umpan_balik.pemberi_id):
            return own
        if is_pimpinan_of(user=actor, pegawai=umpan_balik.penerima):
            return own
    official = non_asn_of(actor) if own is None else None
    if official is not None and official.instansi_id == umpan_balik.instansi_id:
        if official.pk == umpan_balik.pemberi_non_asn_id:
            return official
        if non_asn_penilai_of(user=actor, pegawai=umpan_balik.penerima) is not None:
            return official
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
    penulis = own if isinstance(own, Pegawai) else None
    penulis_non_asn = own if isinstance(own, PejabatNonAsn) else None
    balasan = BalasanUmpanBalik.objects.create(
        instansi_id=umpan_balik.instansi_id,
        umpan_balik=umpan_balik,
        penulis=penulis,
        penulis_non_asn=penulis_non_asn,
        isi=isi,
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
    # the other participants: receiver and giver (a pegawai or a non-ASN official), never the author
    penerima_ids = {
        pk
        for pk in (umpan_balik.penerima_id, umpan_balik.pemberi_id)
        if pk is not None and (penulis is None or pk != penulis.pk)
    }
    users = [p.user for p in Pegawai.objects.filter(pk__in=penerima_ids).select_related("user")]
    if umpan_balik.pemberi_non_asn_id is not None and (
        penulis_non_asn is None or penulis_non_asn.pk != umpan_balik.pemberi_non_asn_id
    ):
        users += [
            o.user
            for o in PejabatNonAsn.objects.filter(
                instansi_id=umpan_balik.instansi_id, pk=umpan_balik.pemberi_non_asn_id
            ).select_related("user")
        ]
    for user in users:
        notifikasi_create(
            instansi=umpan_balik.instansi_id,
            penerima=user,
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
    diminta_id: Any = None,
    periode_id: Any,
    pesan: str = "",
    rhk_id: Any = None,
    core_value: str | None = "",
    diminta_non_asn_id: Any = None,
) -> PermintaanUmpanBalik:
    """The SKP owner asks someone who may give feedback for it; they get a notification.

    The one asked is a pegawai (``diminta_id``: leader, assigning official, peer, subordinate) or the
    owner's non-ASN Pejabat Penilai (``diminta_non_asn_id``, issue #16): exactly one of the two; an
    official who does not rate the owner is a 400 on ``diminta_non_asn``."""
    own = _own(actor)
    if own.pk != skp.pegawai_id:
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    diminta: Pegawai | None = None
    official: PejabatNonAsn | None = None
    if diminta_non_asn_id not in (None, ""):
        if diminta_id not in (None, ""):
            errors["diminta"] = [_("Pilih satu orang saja: pegawai atau Pejabat Penilai non-ASN.")]
        else:
            pejabat = {o.pk: o for o in kandidat_pemberi_non_asn(skp=skp)}
            official = pejabat.get(_as_int(diminta_non_asn_id) or -1)
            if official is None:
                errors["diminta_non_asn"] = [_("Pejabat ini bukan Pejabat Penilai Kinerja Anda.")]
    else:
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
    tujuan = diminta or official
    if errors or tujuan is None or periode is None:
        raise ApplicationError(_("Permintaan belum terkirim. Periksa isian yang ditandai."), errors=errors)
    req = PermintaanUmpanBalik.objects.create(
        instansi_id=skp.instansi_id,
        skp=skp,
        peminta=own,
        diminta=diminta,
        diminta_non_asn=official,
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
        ringkasan=f"Meminta umpan balik kepada {tujuan.nama}",
        objek=req,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="dialog.permintaan",
        obj=req,
        after={"diminta": getattr(diminta, "pk", None), "diminta_non_asn": getattr(official, "pk", None)},
    )
    notifikasi_create(
        instansi=skp.instansi_id,
        penerima=User.objects.get(pk=tujuan.user_id),
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
