"""Object lookups from user input: 404 for both "missing" and "not yours"."""

from typing import Any

from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, UnitKerja


def _to_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFoundOrForbidden() from None


def access_unit_kerja(*, instansi: Instansi, unit_id: Any) -> UnitKerja:
    unit = UnitKerja.objects.filter(instansi=instansi, pk=_to_int(unit_id)).first()
    if unit is None:
        raise NotFoundOrForbidden()
    return unit


def access_pegawai(*, instansi: Instansi, pegawai_id: Any) -> Pegawai:
    pegawai = (
        Pegawai.objects.filter(instansi=instansi, pk=_to_int(pegawai_id))
        .select_related("unit_kerja", "jabatan", "atasan", "user")
        .first()
    )
    if pegawai is None:
        raise NotFoundOrForbidden()
    return pegawai
