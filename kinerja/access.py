"""Object lookups from user input: 404 for both "missing" and "not yours"."""

from typing import Any

from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, UnitKerja


def id_or_404(value: Any) -> int:
    """Parse an id from user input; garbage is 404 like a missing object."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFoundOrForbidden() from None


def access_unit_kerja(*, instansi: Instansi, unit_id: Any) -> UnitKerja:
    unit = UnitKerja.objects.filter(instansi=instansi, pk=id_or_404(unit_id)).first()
    if unit is None:
        raise NotFoundOrForbidden()
    return unit


def access_pegawai(*, instansi: Instansi, pegawai_id: Any) -> Pegawai:
    pegawai = (
        Pegawai.objects.filter(instansi=instansi, pk=id_or_404(pegawai_id))
        .select_related("unit_kerja", "jabatan", "atasan", "user")
        .first()
    )
    if pegawai is None:
        raise NotFoundOrForbidden()
    return pegawai
