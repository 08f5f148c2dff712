"""SKP writes: drafting, results and indicators, submission, approval, return, revision, copy.

Every public function is atomic, audited, and checks the actor; objects arrive already resolved
through ``skp.access`` (404 for missing/other instansi).
"""

import datetime as dt
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError, Conflict, InvalidTransition, NotFoundOrForbidden, ReadOnly
from kinerja.models import Pegawai, TimKerja, User
from kinerja.models.org import JPT
from kinerja.selectors.people import can_nilai, identitas_non_asn, identitas_pegawai
from kinerja.services.audit import audit_log
from kinerja.services.versi import versi_cas, versi_cek
from kinerja.tenancy import non_asn_of, pegawai_of
from skp.models import (
    EDITABLE_STATUSES,
    Aspek,
    CascadingTipe,
    CoreValue,
    Indikator,
    JenisRhk,
    Pendekatan,
    PerilakuKerja,
    Rhk,
    Skp,
    SkpStatus,
)
from skp.permissions import grant_approve, revoke_approve
from skp.selectors import Dependan, rhk_dependan
from skp.snapshots import instansi_snapshot, perilaku_snapshot
from skp.transitions import skp_lock, skp_transition

MAX_INDIKATOR = 4
MAX_TEXT = 2000


class RhkMasihDiacu(InvalidTransition):
    """409: a leader result that submitted or approved SKPs link to cannot be deleted (issue #14).
    Not a ``Conflict``: reloading the page does not help, the message names who depends on it."""


class IndikatorInput(TypedDict):
    aspek: str
    iki: str
    target: str


# ---------------------------------------------------------------- helpers


def core_values_current() -> list[CoreValue]:
    """The active version of each BerAKHLAK value, in official order."""
    rows = list(CoreValue.objects.filter(aktif=True).order_by("urutan", "-versi"))
    seen: dict[str, CoreValue] = {}
    for cv in rows:
        seen.setdefault(cv.kode, cv)
    return sorted(seen.values(), key=lambda c: c.urutan)


def _require_owner(*, actor: User, skp: Skp) -> Pegawai:
    own = pegawai_of(actor)
    if own is None or own.pk != skp.pegawai_id:
        raise ReadOnly(_("Hanya pemilik SKP yang dapat mengubahnya."))
    return own


def _require_editable(skp: Skp) -> None:
    if skp.status not in EDITABLE_STATUSES:
        raise InvalidTransition("SKP hanya dapat diubah selama berstatus draf atau dikembalikan.")


def is_penilai_of(*, actor: User, skp: Skp) -> bool:
    """Pejabat Penilai of the SKP, a delegate (Plt/Plh), or whoever holds the approve permission."""
    own = pegawai_of(actor)
    if own is not None and skp.pejabat_penilai_id == own.pk:
        return True
    official = non_asn_of(actor)
    if official is not None and official.instansi_id == skp.instansi_id:
        # a non-ASN official (issue #16) rates exactly the SKPs that name it
        return skp.pejabat_penilai_non_asn_id == official.pk
    if actor.has_perm("skp.approve_skp", skp):
        return True
    return skp.pejabat_penilai_id is not None and can_nilai(user=actor, pegawai=skp.pegawai)


def _pesan_konflik() -> str:
    return _(
        "SKP ini telah diubah di tab atau perangkat lain. Muat ulang halaman untuk melihat versi terbaru."
    )


def _bump_versi(*, skp: Skp, versi: int | None) -> None:
    """Compare-and-swap on ``versi``: a stale version from another tab is a 409, never a lost update."""
    versi_cas(
        Skp.objects.filter(status__in=list(EDITABLE_STATUSES)), pk=skp.pk, versi=versi, pesan=_pesan_konflik()
    )
    skp.versi = (versi if versi is not None else skp.versi) + 1


def _validate_indikator(indikator: list[IndikatorInput], pendekatan: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not indikator:
        errors["indikator"] = [_("Isi minimal satu indikator kinerja individu.")]
        return errors
    if len(indikator) > MAX_INDIKATOR:
        errors["indikator"] = [_("Paling banyak %(n)d indikator (satu per aspek).") % {"n": MAX_INDIKATOR}]
    aspek_seen: set[str] = set()
    for i, ind in enumerate(indikator):
        aspek = (ind.get("aspek") or "").strip()
        iki = (ind.get("iki") or "").strip()
        target = (ind.get("target") or "").strip()
        if aspek not in Aspek.values:
            errors[f"indikator.{i}.aspek"] = [_("Pilih aspek: kuantitas, kualitas, waktu, atau biaya.")]
        elif aspek in aspek_seen:
            errors[f"indikator.{i}.aspek"] = [
                _("Setiap aspek hanya boleh dipakai sekali per rencana hasil kerja.")
            ]
        aspek_seen.add(aspek)
        if not iki:
            errors[f"indikator.{i}.iki"] = [_("Indikator kinerja individu wajib diisi.")]
        elif len(iki) > MAX_TEXT:
            errors[f"indikator.{i}.iki"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        if not target and pendekatan == Pendekatan.KUANTITATIF:
            errors[f"indikator.{i}.target"] = ['Target wajib diisi, misalnya "90 - 95 %" atau "12 laporan".']
        elif len(target) > 255:
            errors[f"indikator.{i}.target"] = [_("Paling banyak 255 karakter.")]
    return errors


def _resolve_rhk_pimpinan(*, skp: Skp, rhk_pimpinan_id: int | None) -> tuple[Rhk | None, TimKerja | None]:
    """The leader result to link to and the team it comes through (None: the Pejabat Penilai's own).
    Allowed: the Pejabat Penilai's results for the period, or the ketua tim's results of the same year
    when the owner is a current anggota of that team (issue #16)."""
    if rhk_pimpinan_id is None:
        return None, None
    from skp.selectors import rhk_pimpinan_choices, tim_sumber_for

    tim_sumber = tim_sumber_for(skp=skp)
    rhk = rhk_pimpinan_choices(skp=skp, tim_sumber=tim_sumber).filter(pk=rhk_pimpinan_id).first()
    if rhk is None:
        raise ApplicationError(
            _("Rencana hasil kerja pimpinan tidak ditemukan."),
            errors={
                "rhk_pimpinan": [
                    _(
                        "Pilih hasil kerja dari SKP Pejabat Penilai Anda untuk periode yang sama, atau dari "
                        "SKP ketua tim kerja Anda tahun ini."
                    )
                ]
            },
        )
    if rhk.skp.pegawai_id == skp.pejabat_penilai_id:
        return rhk, None
    return rhk, tim_sumber.get(rhk.skp.pegawai_id)


def _resolve_indikator_pk(*, skp: Skp, indikator_pk_id: int | None) -> Any:
    """An indikator of the Perjanjian Kinerja in force of the SKP owner's unit for the SKP's year;
    anything else (another unit, year or instansi, an old version) is a 400 on ``indikator_pk``."""
    if indikator_pk_id is None:
        return None
    from perjanjian.selectors import iku_untuk_skp

    iku = (
        iku_untuk_skp(instansi_id=skp.instansi_id, unit_kerja_id=skp.pegawai.unit_kerja_id, tahun=skp.tahun)
        .filter(pk=indikator_pk_id)
        .first()
    )
    if iku is None:
        raise ApplicationError(
            _("Indikator perjanjian kinerja tidak ditemukan."),
            errors={
                "indikator_pk": [
                    _("Pilih indikator kinerja utama dari perjanjian kinerja unit Anda untuk tahun SKP ini.")
                ]
            },
        )
    return iku


# ---------------------------------------------------------------- drafting


def _current_stint_start(*, pegawai: Pegawai) -> dt.date | None:
    """Start of the pegawai's current placement (unit/jabatan/atasan), from the mutasi history."""
    from kinerja.models import Penempatan

    return (
        Penempatan.objects.filter(instansi_id=pegawai.instansi_id, pegawai=pegawai, selesai__isnull=True)
        .order_by("-mulai")
        .values_list("mulai", flat=True)
        .first()
    )


@transaction.atomic
def skp_create_draft(
    *,
    actor: User,
    tahun: int,
    pendekatan: str = Pendekatan.KUANTITATIF,
    periode_mulai: dt.date | None = None,
    periode_selesai: dt.date | None = None,
) -> Skp:
    """Create the actor's own draft SKP for a stint of ``tahun`` with the 7 core values. Audited."""
    own = pegawai_of(actor)
    if own is None:
        raise ApplicationError(_("Hanya pegawai yang dapat menyusun SKP."))
    errors: dict[str, list[str]] = {}
    if not 2000 <= tahun <= 2100:
        errors["tahun"] = [_("Tahun harus antara 2000 dan 2100.")]
    if pendekatan not in Pendekatan.values:
        errors["pendekatan"] = [_("Pilih pendekatan kuantitatif atau kualitatif.")]
    if errors:
        raise ApplicationError(_("Data SKP tidak valid."), errors=errors)
    stint_mulai = _current_stint_start(pegawai=own)
    earlier = Skp.objects.filter(instansi_id=own.instansi_id, pegawai=own, tahun=tahun).exclude(
        status=SkpStatus.DIGANTI
    )
    default_mulai = dt.date(tahun, 1, 1)
    if stint_mulai is not None and stint_mulai.year == tahun and earlier.exists():
        # a mutasi during the year: the new SKP covers the new stint
        default_mulai = stint_mulai
    mulai = periode_mulai or default_mulai
    selesai = periode_selesai or dt.date(tahun, 12, 31)
    if mulai.year != tahun or selesai.year != tahun:
        errors["periode_mulai"] = [_("Periode SKP harus berada di dalam tahun yang sama.")]
    if selesai < mulai:
        errors["periode_selesai"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    if errors:
        raise ApplicationError(_("Periode SKP tidak valid."), errors=errors)
    overlap = Skp.objects.filter(
        instansi_id=own.instansi_id, pegawai=own, periode_mulai__lte=selesai, periode_selesai__gte=mulai
    ).exclude(status=SkpStatus.DIGANTI)
    if stint_mulai is not None and mulai >= stint_mulai:
        # SKPs begun before the current placement belong to an earlier stint (before a mutasi);
        # they stay readable and are not in the way of the new stint's SKP.
        overlap = overlap.filter(periode_mulai__gte=stint_mulai)
    if overlap.exists():
        raise ApplicationError(
            _(
                "Sudah ada SKP Anda untuk periode ini. Buka SKP tersebut, atau atur periode lain (misalnya setelah mutasi)."
            ),
            errors={"periode_mulai": [_("Periode bertumpang tindih dengan SKP lain.")]},
        )
    skp = Skp.objects.create(
        instansi_id=own.instansi_id,
        pegawai=own,
        pejabat_penilai_id=own.atasan_id,
        pejabat_penilai_non_asn_id=own.penilai_non_asn_id,
        tahun=tahun,
        periode_mulai=mulai,
        periode_selesai=selesai,
        pendekatan=pendekatan,
        tugas_belajar=own.tugas_belajar,
    )
    PerilakuKerja.objects.bulk_create(
        [
            PerilakuKerja(instansi_id=own.instansi_id, skp=skp, core_value=cv.kode, urutan=cv.urutan)
            for cv in core_values_current()
        ]
    )
    audit_log(
        actor=actor,
        instansi=own.instansi_id,
        action="skp.buat",
        obj=skp,
        after={"tahun": tahun, "pendekatan": pendekatan},
    )
    return skp


@transaction.atomic
def skp_update(
    *,
    actor: User,
    skp: Skp,
    versi: int | None = None,
    pendekatan: str | None = None,
    lampiran: dict[str, list[str]] | None = None,
) -> Skp:
    """Owner edits the approach or the lampiran while the SKP is editable."""
    _require_owner(actor=actor, skp=skp)
    _require_editable(skp)
    errors: dict[str, list[str]] = {}
    fields: list[str] = []
    if pendekatan is not None:
        if pendekatan not in Pendekatan.values:
            errors["pendekatan"] = [_("Pilih pendekatan kuantitatif atau kualitatif.")]
        skp.pendekatan = pendekatan
        fields.append("pendekatan")
    if lampiran is not None:
        for key in ("dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"):
            if key in lampiran:
                items = [str(x).strip() for x in (lampiran[key] or []) if str(x).strip()]
                if any(len(x) > MAX_TEXT for x in items):
                    errors[f"lampiran.{key}"] = [
                        _("Setiap butir paling banyak %(n)d karakter.") % {"n": MAX_TEXT}
                    ]
                setattr(skp, key, items)
                fields.append(key)
    if errors:
        raise ApplicationError(_("Data SKP tidak valid."), errors=errors)
    _bump_versi(skp=skp, versi=versi)
    if fields:
        skp.save(update_fields=fields)
    audit_log(actor=actor, instansi=skp.instansi_id, action="skp.ubah", obj=skp, after={"fields": fields})
    return skp


@transaction.atomic
def skp_ekspektasi_set(*, actor: User, skp: Skp, ekspektasi: dict[str, str], versi: int | None = None) -> Skp:
    """The Pejabat Penilai writes the ekspektasi khusus per core value (before approval)."""
    if not is_penilai_of(actor=actor, skp=skp):
        raise ReadOnly(_("Hanya Pejabat Penilai yang mengisi ekspektasi khusus pimpinan."))
    if skp.status not in {SkpStatus.DRAFT, SkpStatus.DIAJUKAN, SkpStatus.DIKEMBALIKAN}:
        raise InvalidTransition(_("Ekspektasi tidak dapat diubah setelah SKP disetujui."))
    rows = {p.core_value: p for p in PerilakuKerja.objects.filter(instansi_id=skp.instansi_id, skp=skp)}
    unknown = set(ekspektasi) - set(rows)
    if unknown:
        raise ApplicationError(_("Core value tidak dikenal."), errors={"core_value": sorted(unknown)})
    changed = []
    for kode, text in ekspektasi.items():
        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            raise ApplicationError(
                _("Teks terlalu panjang."),
                errors={kode: [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]},
            )
        rows[kode].ekspektasi_khusus = text
        changed.append(rows[kode])
    PerilakuKerja.objects.bulk_update(changed, ["ekspektasi_khusus"])
    updated = Skp.objects.filter(pk=skp.pk, **({"versi": versi} if versi is not None else {})).update(
        versi=F("versi") + 1
    )
    if updated != 1:
        raise Conflict(_("SKP ini telah diubah orang lain. Muat ulang halaman."))
    audit_log(actor=actor, instansi=skp.instansi_id, action="skp.ekspektasi", obj=skp, after=ekspektasi)
    skp.refresh_from_db()
    return skp


@transaction.atomic
def skp_rhk_add(
    *,
    actor: User,
    skp: Skp,
    jenis: str,
    rencana_hasil_kerja: str,
    indikator: list[IndikatorInput],
    rhk_pimpinan_id: int | None = None,
    cascading_tipe: str = "",
    perspektif: str = "",
    penugasan_dari: str = "",
    versi: int | None = None,
    by_penilai: bool = False,
    indikator_pk_id: int | None = None,
) -> Rhk:
    """Add a result with its indicators. The owner adds while editable; the Pejabat Penilai may
    propose one into a subordinate's draft (Matriks Peran Hasil) with ``by_penilai``."""
    if by_penilai:
        if not is_penilai_of(actor=actor, skp=skp):
            raise NotFoundOrForbidden()
    else:
        _require_owner(actor=actor, skp=skp)
    _require_editable(skp)
    errors = _validate_rhk(
        skp=skp,
        jenis=jenis,
        text=rencana_hasil_kerja,
        rhk_pimpinan_id=rhk_pimpinan_id,
        cascading_tipe=cascading_tipe,
        perspektif=perspektif,
    )
    errors.update(_validate_indikator(indikator, skp.pendekatan))
    if errors:
        raise ApplicationError(_("Rencana hasil kerja belum lengkap atau tidak valid."), errors=errors)
    pimpinan, tim = _resolve_rhk_pimpinan(skp=skp, rhk_pimpinan_id=rhk_pimpinan_id)
    iku = _resolve_indikator_pk(skp=skp, indikator_pk_id=indikator_pk_id)
    _bump_versi(skp=skp, versi=versi)
    urutan = Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp, jenis=jenis).count() + 1
    rhk = Rhk.objects.create(
        instansi_id=skp.instansi_id,
        skp=skp,
        jenis=jenis,
        rencana_hasil_kerja=rencana_hasil_kerja.strip(),
        rhk_pimpinan=pimpinan,
        tim_kerja=tim,
        indikator_pk=iku,
        cascading_tipe=cascading_tipe,
        perspektif=perspektif.strip(),
        penugasan_dari=penugasan_dari.strip(),
        urutan=urutan,
    )
    _replace_indikator(rhk=rhk, indikator=indikator)
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="skp.rhk_tambah",
        obj=rhk,
        after={
            "skp": skp.pk,
            "jenis": jenis,
            "rhk_pimpinan": rhk_pimpinan_id,
            "tim_kerja": tim.pk if tim else None,
            "indikator_pk": indikator_pk_id,
            "oleh_penilai": by_penilai,
        },
    )
    return rhk


def _validate_rhk(
    *, skp: Skp, jenis: str, text: str, rhk_pimpinan_id: int | None, cascading_tipe: str, perspektif: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if jenis not in JenisRhk.values:
        errors["jenis"] = [_("Pilih jenis: utama atau tambahan.")]
    if not (text or "").strip():
        errors["rencana_hasil_kerja"] = [_("Rencana hasil kerja wajib diisi.")]
    elif len(text) > MAX_TEXT:
        errors["rencana_hasil_kerja"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
    if cascading_tipe and cascading_tipe not in CascadingTipe.values:
        errors["cascading_tipe"] = [_("Pilih cascading langsung atau tidak langsung.")]
    if len(perspektif or "") > 100:
        errors["perspektif"] = [_("Paling banyak 100 karakter.")]
    if rhk_pimpinan_id is not None and skp.pegawai.jabatan.jenis in JPT:
        errors["rhk_pimpinan"] = ["SKP JPT tidak memakai kolom rencana hasil kerja pimpinan; isi perspektif."]
    return errors


def _replace_indikator(*, rhk: Rhk, indikator: list[IndikatorInput]) -> None:
    Indikator.objects.filter(instansi_id=rhk.instansi_id, rhk=rhk).delete()
    Indikator.objects.bulk_create(
        [
            Indikator(
                instansi_id=rhk.instansi_id,
                rhk=rhk,
                aspek=ind["aspek"].strip(),
                iki=ind["iki"].strip(),
                target=(ind.get("target") or "").strip(),
                urutan=i,
            )
            for i, ind in enumerate(indikator)
        ]
    )


@transaction.atomic
def skp_rhk_update(
    *,
    actor: User,
    rhk: Rhk,
    data: dict[str, Any],
    versi: int | None = None,
) -> Rhk:
    """Owner edits a result (any subset of fields; ``indikator`` replaces the list)."""
    skp = rhk.skp
    _require_owner(actor=actor, skp=skp)
    _require_editable(skp)
    jenis = data.get("jenis", rhk.jenis)
    text = data.get("rencana_hasil_kerja", rhk.rencana_hasil_kerja)
    rhk_pimpinan_id = data.get("rhk_pimpinan", rhk.rhk_pimpinan_id)
    cascading_tipe = data.get("cascading_tipe", rhk.cascading_tipe)
    perspektif = data.get("perspektif", rhk.perspektif)
    penugasan_dari = data.get("penugasan_dari", rhk.penugasan_dari)
    indikator_pk_id = data.get("indikator_pk", rhk.indikator_pk_id)
    errors = _validate_rhk(
        skp=skp,
        jenis=jenis,
        text=text,
        rhk_pimpinan_id=rhk_pimpinan_id,
        cascading_tipe=cascading_tipe,
        perspektif=perspektif,
    )
    if "indikator" in data:
        errors.update(_validate_indikator(data["indikator"], skp.pendekatan))
    if errors:
        raise ApplicationError(_("Rencana hasil kerja tidak valid."), errors=errors)
    if "rhk_pimpinan" in data or rhk_pimpinan_id is None:
        pimpinan, tim = _resolve_rhk_pimpinan(skp=skp, rhk_pimpinan_id=rhk_pimpinan_id)
    else:
        # the link is not being changed: keep it (and its team) even if the team changed meanwhile
        pimpinan, tim = rhk.rhk_pimpinan, rhk.tim_kerja
    iku = _resolve_indikator_pk(skp=skp, indikator_pk_id=indikator_pk_id)
    _bump_versi(skp=skp, versi=versi)
    before = {
        "jenis": rhk.jenis,
        "rencana_hasil_kerja": rhk.rencana_hasil_kerja,
        "rhk_pimpinan": rhk.rhk_pimpinan_id,
    }
    teks_lama = rhk.rencana_hasil_kerja
    rhk.jenis, rhk.rencana_hasil_kerja, rhk.rhk_pimpinan = jenis, text.strip(), pimpinan
    rhk.tim_kerja = tim
    rhk.indikator_pk = iku
    rhk.cascading_tipe, rhk.perspektif = cascading_tipe, perspektif.strip()
    rhk.penugasan_dari = (penugasan_dari or "").strip()
    rhk.save(
        update_fields=[
            "jenis",
            "rencana_hasil_kerja",
            "rhk_pimpinan",
            "tim_kerja",
            "indikator_pk",
            "cascading_tipe",
            "perspektif",
            "penugasan_dari",
            "updated_at",
        ]
    )
    if "indikator" in data:
        _replace_indikator(rhk=rhk, indikator=data["indikator"])
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="skp.rhk_ubah",
        obj=rhk,
        before=before,
        after={
            "jenis": jenis,
            "rencana_hasil_kerja": rhk.rencana_hasil_kerja,
            "rhk_pimpinan": rhk_pimpinan_id,
            "indikator_pk": indikator_pk_id,
        },
    )
    if rhk.rencana_hasil_kerja != teks_lama:
        _notify_reworded(actor=actor, rhk=rhk, teks_lama=teks_lama)
    return rhk


def _notify_reworded(*, actor: User, rhk: Rhk, teks_lama: str) -> None:
    """A leader reworded a result that submitted/approved SKPs link to: those SKPs keep (approved) or
    will be approved with (submitted) their own record; their owners are told, after the edit, through
    the listeners apps above skp register (dialog's notifications)."""
    terkunci = [
        d for d in rhk_dependan(instansi_id=rhk.instansi_id, rhk_ids=[rhk.pk]).get(rhk.pk, []) if d.terkunci
    ]
    if not terkunci:
        return
    from skp.hooks import rhk_pimpinan_diubah

    rhk_pimpinan_diubah(actor=actor, rhk=rhk, teks_lama=teks_lama, dependan=terkunci)


def _lock_rhk(*, instansi_id: int, rhk_ids: list[int]) -> None:
    """Lock leader results (single-table FOR UPDATE, id order): deleting one and submitting an SKP
    that links to it serialise, so neither sees the other half-done."""
    list(
        Rhk.objects.filter(instansi_id=instansi_id, pk__in=sorted(rhk_ids))
        .order_by("pk")
        .select_for_update()
        .values_list("pk")
    )


def _daftar(dependan: list[Dependan]) -> str:
    return ", ".join(d.label() for d in dependan)


@transaction.atomic
def skp_rhk_remove(*, actor: User, rhk: Rhk, versi: int | None = None) -> None:
    """Owner removes a result (and its indicators). Refused (409, naming them) while a submitted or
    approved SKP links to it as ``rhk_pimpinan``; links from drafts and returned SKPs are cleared."""
    skp = rhk.skp
    _require_owner(actor=actor, skp=skp)
    _require_editable(skp)
    _lock_rhk(instansi_id=rhk.instansi_id, rhk_ids=[rhk.pk])
    dependan = rhk_dependan(instansi_id=rhk.instansi_id, rhk_ids=[rhk.pk]).get(rhk.pk, [])
    terkunci = [d for d in dependan if d.terkunci]
    if terkunci:
        raise RhkMasihDiacu(
            _(
                "Rencana hasil kerja ini tidak dapat dihapus karena menjadi acuan SKP yang sudah diajukan "
                "atau disetujui: %(daftar)s. Ubah rumusannya bila perlu; SKP yang sudah disetujui tetap "
                "memuat rumusan saat disetujui."
            )
            % {"daftar": _daftar(terkunci)},
            errors={"rhk_bawahan": [d.label() for d in terkunci]},
            extra={
                "dependan": [
                    {"skp": d.skp_id, "pegawai": d.pegawai_nama, "status": d.status} for d in terkunci
                ]
            },
        )
    _bump_versi(skp=skp, versi=versi)
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="skp.rhk_hapus",
        obj=rhk,
        before={"rencana_hasil_kerja": rhk.rencana_hasil_kerja},
        after={"kaitan_dikosongkan": [d.skp_id for d in dependan]} if dependan else None,
    )
    Indikator.objects.filter(instansi_id=rhk.instansi_id, rhk=rhk).delete()
    Rhk.objects.filter(instansi_id=rhk.instansi_id, rhk_pimpinan=rhk).update(rhk_pimpinan=None)
    Rhk.objects.filter(pk=rhk.pk).delete()


# ---------------------------------------------------------------- workflow


def _submission_errors(skp: Skp) -> dict[str, list[str]]:
    rhk = list(Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp).prefetch_related("indikator"))
    errors: dict[str, list[str]] = {}
    utama = [r for r in rhk if r.jenis == JenisRhk.UTAMA]
    if not utama:
        errors["rhk"] = [_("Tambahkan minimal satu rencana hasil kerja utama sebelum mengajukan.")]
    if any(not r.indikator.all() for r in rhk):
        errors.setdefault("rhk", []).append(_("Setiap rencana hasil kerja harus memiliki indikator."))
    if skp.pegawai.jabatan.jenis not in JPT and not skp.tugas_belajar:
        unlinked = [r for r in utama if r.rhk_pimpinan_id is None]
        if unlinked:
            errors["rhk_pimpinan"] = [
                _(
                    "Setiap hasil kerja utama harus dikaitkan dengan rencana hasil kerja pimpinan yang "
                    "diintervensi (%(n)d belum dikaitkan)."
                )
                % {"n": len(unlinked)}
            ]
    if not skp.ada_penilai and skp.pegawai.jabatan.jenis not in JPT:
        errors["pejabat_penilai"] = [
            _("SKP ini belum memiliki Pejabat Penilai Kinerja. Hubungi admin kepegawaian.")
        ]
    return errors


class JptBelumBerakar(InvalidTransition):
    """409: a JPT's SKP whose utama results do not all derive from the unit's Perjanjian Kinerja (an
    indikator of its PK in force) or from a leader's result."""


def jpt_rhk_tanpa_akar(skp: Skp) -> list[Rhk]:
    """The utama results of a JPT's SKP that name neither an indikator of the PK in force nor a leader's
    result (empty for other SKPs)."""
    if skp.pegawai.jabatan.jenis not in JPT:
        return []
    return list(
        Rhk.objects.filter(
            instansi_id=skp.instansi_id, skp=skp, jenis=JenisRhk.UTAMA, rhk_pimpinan__isnull=True
        )
        .exclude(indikator_pk__perjanjian__aktif=True)
        .order_by("urutan", "id")
    )


def _cek_jpt_berakar(skp: Skp) -> None:
    tanpa = jpt_rhk_tanpa_akar(skp)
    if tanpa:
        raise JptBelumBerakar(
            _(
                "SKP JPT belum dapat diajukan: %(n)d hasil kerja utama belum diturunkan dari indikator "
                "perjanjian kinerja unit (atau dari hasil kerja pimpinan): %(daftar)s. Pilih indikator "
                "perjanjian kinerja pada setiap hasil kerja utama."
            )
            % {"n": len(tanpa), "daftar": "; ".join(r.rencana_hasil_kerja[:80] for r in tanpa)},
            errors={"indikator_pk": [r.rencana_hasil_kerja[:80] for r in tanpa]},
            extra={"rhk": [r.pk for r in tanpa]},
        )


@transaction.atomic
def skp_submit(*, actor: User, skp: Skp, versi: int | None = None) -> Skp:
    """Owner submits (draft/dikembalikan → diajukan); grants the penilai ``skp.approve_skp`` on it.

    With ``versi`` (the version the owner was looking at) a stale page gets a 409 instead of submitting
    content edited meanwhile in another tab."""
    _require_owner(actor=actor, skp=skp)
    locked = skp_lock(skp_id=skp.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("SKP ini sudah diajukan atau disetujui."))
    versi_cek(sekarang=locked.versi, diharapkan=versi, pesan=_pesan_konflik())
    # The leader results linked to: a deletion in flight finishes first (its links are then cleared
    # and the check below sees them), or waits for this submission and is refused.
    _lock_rhk(
        instansi_id=locked.instansi_id,
        rhk_ids=list(
            Rhk.objects.filter(instansi_id=locked.instansi_id, skp=locked, rhk_pimpinan__isnull=False)
            .values_list("rhk_pimpinan_id", flat=True)
            .distinct()
        ),
    )
    errors = _submission_errors(locked)
    if errors:
        raise ApplicationError(_("SKP belum dapat diajukan."), errors=errors)
    _cek_jpt_berakar(locked)
    skp_transition(
        skp=locked, to=SkpStatus.DIAJUKAN, actor=actor, extra_fields={"diajukan_at": timezone.now()}
    )
    if locked.pejabat_penilai is not None:
        grant_approve(user=locked.pejabat_penilai.user, skp=locked)
    elif locked.pejabat_penilai_non_asn is not None:
        grant_approve(user=locked.pejabat_penilai_non_asn.user, skp=locked)
    return locked


def _can_approve(*, actor: User, skp: Skp) -> bool:
    if not skp.ada_penilai:
        from kinerja.selectors.people import roles_of

        return "admin_instansi" in roles_of(user=actor, instansi=skp.instansi)
    return is_penilai_of(actor=actor, skp=skp)


def _iku_snapshot_sql(*, instansi_id: int) -> Any:
    """The linked PK indikator as JSON (the keys of ``IndikatorKinerjaUtama.snapshot``), {} when none."""
    from django.db.models import JSONField
    from django.db.models.functions import JSONObject

    from perjanjian.models import IndikatorKinerjaUtama

    return Coalesce(
        Subquery(
            IndikatorKinerjaUtama.objects.filter(
                instansi_id=instansi_id, pk=OuterRef("indikator_pk_id")
            ).values(
                j=JSONObject(
                    uraian="uraian",
                    target="target",
                    sasaran="sasaran__uraian",
                    definisi="definisi",
                    formula="formula",
                    sumber_data="sumber_data",
                    periode_pelaporan="periode_pelaporan",
                )
            )[:1],
            output_field=JSONField(),
        ),
        Value({}, output_field=JSONField()),
        output_field=JSONField(),
    )


@transaction.atomic
def skp_approve(*, actor: User, skp: Skp) -> Skp:
    """Pejabat Penilai approves (diajukan → disetujui): snapshots both identities, the instansi, the
    BerAKHLAK texts and each leader result's text (the approved SKP never changes), supersedes the
    previous version of a revision, revokes the approve permission, queues the signed PDF."""
    if not _can_approve(actor=actor, skp=skp):
        raise NotFoundOrForbidden()
    locked = skp_lock(skp_id=skp.pk)
    pegawai = Pegawai.objects.select_related("jabatan", "unit_kerja").get(pk=locked.pegawai_id)
    penilai = (
        Pegawai.objects.select_related("jabatan", "unit_kerja").get(pk=locked.pejabat_penilai_id)
        if locked.pejabat_penilai_id
        else None
    )
    skp_transition(
        skp=locked,
        to=SkpStatus.DISETUJUI,
        actor=actor,
        extra_fields={
            "disetujui_at": timezone.now(),
            "disetujui_oleh": actor,
            "snapshot_pegawai": identitas_pegawai(pegawai),
            "snapshot_penilai": identitas_pegawai(penilai)
            or identitas_non_asn(locked.pejabat_penilai_non_asn, instansi_nama=locked.instansi.nama),
            "snapshot_instansi": instansi_snapshot(locked.instansi),
            "snapshot_perilaku": perilaku_snapshot(core_values_current()),
        },
    )
    # Each result keeps the leader's text as approved, whatever the leader edits later (issue #14).
    Rhk.objects.filter(instansi_id=locked.instansi_id, skp=locked).update(
        rhk_pimpinan_teks=Coalesce(
            Subquery(
                Rhk.objects.filter(instansi_id=locked.instansi_id, pk=OuterRef("rhk_pimpinan_id")).values(
                    "rencana_hasil_kerja"
                )[:1]
            ),
            Value(""),
        ),
        indikator_pk_snapshot=_iku_snapshot_sql(instansi_id=locked.instansi_id),
    )
    _freeze_tim_kerja(skp=locked)
    if locked.revisi_dari_id:
        old = skp_lock(skp_id=locked.revisi_dari_id)
        if old.status == SkpStatus.DISETUJUI:
            skp_transition(
                skp=old, to=SkpStatus.DIGANTI, actor=actor, catatan=f"Diganti revisi {locked.revisi}"
            )
    revoke_approve(skp=locked)
    from skp.hooks import on_skp_approved

    on_skp_approved(skp=locked)
    return locked


def _freeze_tim_kerja(*, skp: Skp) -> None:
    """Each result keeps the team label it was approved with ("Tim: <nama> (ketua <nama>)"; "" when it
    supports the structural leader), whatever the team's name, ketua or anggota become (issue #16).
    One UPDATE per team linked (a handful), plus one for the rest."""
    rows = Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp)
    for tim in TimKerja.objects.filter(
        instansi_id=skp.instansi_id, pk__in=rows.filter(tim_kerja__isnull=False).values("tim_kerja_id")
    ).select_related("ketua"):
        rows.filter(tim_kerja=tim).update(tim_kerja_teks=tim.label())
    rows.filter(tim_kerja__isnull=True).update(tim_kerja_teks="")


@transaction.atomic
def skp_return(*, actor: User, skp: Skp, catatan: str) -> Skp:
    """Pejabat Penilai returns a submitted SKP with a required note (diajukan → dikembalikan)."""
    if not _can_approve(actor=actor, skp=skp):
        raise NotFoundOrForbidden()
    catatan = (catatan or "").strip()
    if not catatan:
        raise ApplicationError(
            _("Catatan wajib diisi."), errors={"catatan": [_("Tuliskan apa yang perlu diperbaiki.")]}
        )
    if len(catatan) > MAX_TEXT:
        raise ApplicationError(
            _("Catatan terlalu panjang."),
            errors={"catatan": [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]},
        )
    locked = skp_lock(skp_id=skp.pk)
    skp_transition(
        skp=locked,
        to=SkpStatus.DIKEMBALIKAN,
        actor=actor,
        catatan=catatan,
        extra_fields={"catatan_pengembalian": catatan},
    )
    revoke_approve(skp=locked)
    return locked


def skp_approve_bulk(*, actor: User, skps: list[Skp]) -> tuple[list[Skp], dict[int, str]]:
    """Approve many; each in its own transaction so one failure doesn't undo the others."""
    done: list[Skp] = []
    failed: dict[int, str] = {}
    for skp in skps:
        try:
            done.append(skp_approve(actor=actor, skp=skp))
        except ApplicationError as exc:
            failed[skp.pk] = exc.message
    return done, failed


def _copy_content(*, source: Skp, target: Skp, keep_links: bool) -> int:
    """Copy results, indicators, lampiran and ekspektasi from ``source`` to ``target`` (set-based)."""
    src_rhk = list(
        Rhk.objects.filter(instansi_id=source.instansi_id, skp=source).prefetch_related("indikator")
    )
    new_rhk = Rhk.objects.bulk_create(
        [
            Rhk(
                instansi_id=target.instansi_id,
                skp=target,
                jenis=r.jenis,
                rencana_hasil_kerja=r.rencana_hasil_kerja,
                rhk_pimpinan_id=r.rhk_pimpinan_id if keep_links else None,
                tim_kerja_id=r.tim_kerja_id if keep_links else None,
                indikator_pk_id=r.indikator_pk_id if keep_links else None,
                cascading_tipe=r.cascading_tipe,
                perspektif=r.perspektif,
                penugasan_dari=r.penugasan_dari,
                urutan=r.urutan,
            )
            for r in src_rhk
        ]
    )
    Indikator.objects.bulk_create(
        [
            Indikator(
                instansi_id=target.instansi_id,
                rhk=new,
                aspek=i.aspek,
                iki=i.iki,
                target=i.target,
                urutan=i.urutan,
            )
            for old, new in zip(src_rhk, new_rhk, strict=True)
            for i in old.indikator.all()
        ]
    )
    target.dukungan_sumber_daya = list(source.dukungan_sumber_daya)
    target.skema_pertanggungjawaban = list(source.skema_pertanggungjawaban)
    target.konsekuensi = list(source.konsekuensi)
    target.save(update_fields=["dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"])
    return len(new_rhk)


@transaction.atomic
def skp_copy_from_previous(*, actor: User, skp: Skp, source: Skp) -> Skp:
    """Copy last year's (or any earlier own) SKP content into an editable draft. Links to the
    leader's results are not copied: they point at last year's plan."""
    own = _require_owner(actor=actor, skp=skp)
    _require_editable(skp)
    if source.pegawai_id != own.pk or source.pk == skp.pk:
        raise NotFoundOrForbidden()
    _bump_versi(skp=skp, versi=None)
    n = _copy_content(source=source, target=skp, keep_links=False)
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="skp.salin",
        obj=skp,
        after={"dari": source.pk, "rhk": n},
    )
    return skp


@transaction.atomic
def skp_revise(*, actor: User, skp: Skp, catatan: str = "") -> Skp:
    """Start a revision of an approved SKP (change of expectations): a new draft with the same
    content; the approved one stays valid and readable until the revision is approved."""
    _require_owner(actor=actor, skp=skp)
    locked = skp_lock(skp_id=skp.pk)
    if locked.status != SkpStatus.DISETUJUI:
        raise InvalidTransition(_("Hanya SKP yang sudah disetujui yang dapat direvisi."))
    if (
        Skp.objects.filter(instansi_id=skp.instansi_id, revisi_dari=locked)
        .exclude(status=SkpStatus.DIGANTI)
        .exists()
    ):
        raise InvalidTransition(_("Revisi SKP ini sudah ada. Lanjutkan revisi tersebut."))
    new = Skp.objects.create(
        instansi_id=locked.instansi_id,
        pegawai_id=locked.pegawai_id,
        pejabat_penilai_id=locked.pegawai.atasan_id,
        pejabat_penilai_non_asn_id=locked.pegawai.penilai_non_asn_id,
        tahun=locked.tahun,
        periode_mulai=locked.periode_mulai,
        periode_selesai=locked.periode_selesai,
        pendekatan=locked.pendekatan,
        revisi=locked.revisi + 1,
        revisi_dari=locked,
        tugas_belajar=locked.tugas_belajar,
    )
    PerilakuKerja.objects.bulk_create(
        [
            PerilakuKerja(
                instansi_id=new.instansi_id,
                skp=new,
                core_value=p.core_value,
                ekspektasi_khusus=p.ekspektasi_khusus,
                urutan=p.urutan,
            )
            for p in PerilakuKerja.objects.filter(instansi_id=locked.instansi_id, skp=locked)
        ]
    )
    _copy_content(source=locked, target=new, keep_links=True)
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="skp.revisi",
        obj=new,
        after={"dari": locked.pk, "catatan": catatan},
    )
    return new


__all__ = [
    "MAX_INDIKATOR",
    "JptBelumBerakar",
    "RhkMasihDiacu",
    "core_values_current",
    "is_penilai_of",
    "jpt_rhk_tanpa_akar",
    "skp_approve",
    "skp_approve_bulk",
    "skp_copy_from_previous",
    "skp_create_draft",
    "skp_ekspektasi_set",
    "skp_return",
    "skp_revise",
    "skp_rhk_add",
    "skp_rhk_remove",
    "skp_rhk_update",
    "skp_submit",
    "skp_update",
]


# ---------------------------------------------------------------- Pejabat Penilai non-ASN (issue #16)


def skp_penilai_non_asn_alihkan(
    *, actor: User | None, pejabat: Any, ditambah: list[int], dilepas: list[int]
) -> list[int]:
    """The official rates ``ditambah`` "from then on": their SKPs still in planning (draft, diajukan,
    dikembalikan) and the approved ones still running (period not over) name it as Pejabat Penilai (an
    approved SKP keeps its approval snapshot: the signed document does not change). ``dilepas`` lose it on
    the SKPs not approved yet. Submitted SKPs move their approve permission. Call inside the caller's
    transaction; set-based. Returns the ids of the SKPs now naming ``pejabat``."""
    instansi_id = pejabat.instansi_id
    today = timezone.localdate()
    moved: list[int] = []
    if ditambah:
        qs = Skp.objects.filter(instansi_id=instansi_id, pegawai_id__in=ditambah).filter(
            Q(status__in=[SkpStatus.DRAFT, SkpStatus.DIAJUKAN, SkpStatus.DIKEMBALIKAN])
            | Q(status=SkpStatus.DISETUJUI, periode_selesai__gte=today)
        )
        moved = list(qs.values_list("pk", flat=True))
        Skp.objects.filter(instansi_id=instansi_id, pk__in=moved).update(
            pejabat_penilai=None, pejabat_penilai_non_asn=pejabat, updated_at=timezone.now()
        )
        for skp in Skp.objects.filter(instansi_id=instansi_id, pk__in=moved, status=SkpStatus.DIAJUKAN):
            revoke_approve(skp=skp)
            grant_approve(user=pejabat.user, skp=skp)
    if dilepas:
        lepas = Skp.objects.filter(
            instansi_id=instansi_id,
            pegawai_id__in=dilepas,
            pejabat_penilai_non_asn=pejabat,
            status__in=[SkpStatus.DRAFT, SkpStatus.DIAJUKAN, SkpStatus.DIKEMBALIKAN],
        )
        for skp in lepas.filter(status=SkpStatus.DIAJUKAN):
            revoke_approve(skp=skp)
        lepas.update(pejabat_penilai_non_asn=None, updated_at=timezone.now())
    if moved:
        audit_log(
            actor=actor,
            instansi=instansi_id,
            action="skp.penilai_non_asn",
            obj=pejabat,
            after={"skp": moved},
        )
    return moved
