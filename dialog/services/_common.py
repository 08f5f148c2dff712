"""Private helpers shared by the dialog services: the actor's own pegawai, text and id validation, the
timeline row (``Aktivitas``). Not part of the public API."""

from typing import Any

from django.utils.translation import gettext as _

from dialog.models import CORE_VALUE_KODES, Aktivitas
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Pegawai, Periode, User
from kinerja.tenancy import pegawai_of
from skp.models import Rhk, Skp

MAX_TEXT = 4000


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
