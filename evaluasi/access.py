"""Evaluation lookups from user input: 404 for missing, other instansi, not visible, or not allowed."""

from typing import Any

from evaluasi.models import Evaluasi, Keberatan
from evaluasi.selectors import (
    evaluasi_detail_queryset,
    evaluasi_visible_to,
    is_penilai,
    keberatan_untuk_pemutus,
    unit_terlihat,
)
from kinerja.access import id_or_404
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Periode, UnitKerja, User


def evaluasi_access(
    *, user: User, instansi: Instansi, roles: list[str], evaluasi_id: Any, for_write: bool = False
) -> Evaluasi:
    """A visible evaluation; with ``for_write`` only for its Pejabat Penilai (direct or delegated).
    Everyone else gets 404, exactly like a missing id."""
    visible = evaluasi_visible_to(user=user, instansi=instansi, roles=roles).values("pk")
    evaluasi = (
        evaluasi_detail_queryset(instansi=instansi).filter(pk=id_or_404(evaluasi_id), pk__in=visible).first()
    )
    if evaluasi is None:
        raise NotFoundOrForbidden()
    if for_write and not is_penilai(user=user, evaluasi=evaluasi):
        raise NotFoundOrForbidden()
    return evaluasi


def keberatan_access(*, user: User, instansi: Instansi, roles: list[str], keberatan_id: Any) -> Keberatan:
    """An objection this user decides (atasan of the Pejabat Penilai, or an admin when there is none)."""
    obj = (
        keberatan_untuk_pemutus(user=user, instansi=instansi, roles=roles)
        .select_related("evaluasi__instansi", "evaluasi__skp", "evaluasi__unit_kerja", "pegawai")
        .filter(pk=id_or_404(keberatan_id))
        .first()
    )
    if obj is None:
        raise NotFoundOrForbidden()
    return obj


def unit_evaluasi_access(*, user: User, instansi: Instansi, roles: list[str], unit_id: Any) -> UnitKerja:
    """A unit whose performance page the user may open (admin/hr, or a leader above it)."""
    unit = unit_terlihat(user=user, instansi=instansi, roles=roles).filter(pk=id_or_404(unit_id)).first()
    if unit is None:
        raise NotFoundOrForbidden()
    return unit


def periode_access(*, instansi: Instansi, periode_id: Any) -> Periode:
    periode = Periode.objects.filter(instansi=instansi, pk=id_or_404(periode_id)).first()
    if periode is None:
        raise NotFoundOrForbidden()
    return periode
