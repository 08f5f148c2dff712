"""Rencana aksi: add, correct and remove the planned actions of an approved SKP."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog.models import RencanaAksi
from dialog.services._common import _aktivitas, _periode_for, _rhk_for, _teks
from dialog.services.dokumentasi import _require_dokumentasi
from kinerja.exceptions import ApplicationError
from kinerja.models import User
from kinerja.services.audit import audit_log
from skp.models import Skp


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
