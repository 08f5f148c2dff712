"""SKP lookups from user input: 404 for missing, other instansi, or not visible."""

from typing import Any

from kinerja.access import id_or_404
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, TimKerja, User
from skp.models import Rhk, Skp
from skp.selectors import skp_detail_queryset, skp_visible_to


def skp_access(*, user: User, instansi: Instansi, roles: list[str], skp_id: Any, detail: bool = False) -> Skp:
    visible = skp_visible_to(user=user, instansi=instansi, roles=roles).values("pk")
    base = (
        skp_detail_queryset(instansi=instansi)
        if detail
        else Skp.objects.filter(instansi=instansi).select_related(
            "pegawai__jabatan", "pegawai__unit_kerja", "pejabat_penilai", "pejabat_penilai_non_asn"
        )
    )
    skp = base.filter(pk=id_or_404(skp_id), pk__in=visible).first()
    if skp is None:
        raise NotFoundOrForbidden()
    return skp


def rhk_access(*, user: User, instansi: Instansi, roles: list[str], rhk_id: Any) -> Rhk:
    visible = skp_visible_to(user=user, instansi=instansi, roles=roles).values("pk")
    rhk = (
        Rhk.objects.filter(instansi=instansi, pk=id_or_404(rhk_id), skp__in=visible)
        .select_related("skp__pegawai__jabatan", "skp__pejabat_penilai", "skp__pejabat_penilai_non_asn")
        .first()
    )
    if rhk is None:
        raise NotFoundOrForbidden()
    return rhk


def tim_matriks_access(*, skp: Skp, tim_id: Any) -> TimKerja:
    """The team whose Matriks Peran Hasil a ketua's SKP shows (``?tim=``): a team of the SKP's year
    led by the SKP's owner; anything else (another instansi, another ketua or year, junk) is a 404."""
    tim = (
        TimKerja.objects.filter(
            instansi_id=skp.instansi_id, pk=id_or_404(tim_id), ketua_id=skp.pegawai_id, tahun=skp.tahun
        )
        .select_related("ketua")
        .first()
    )
    if tim is None:
        raise NotFoundOrForbidden()
    return tim
