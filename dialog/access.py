"""Dialog lookups from user input: 404 for missing, other instansi, or not visible to the actor.

Visibility rules:
- feedback on an SKP: the owner, the Pejabat Penilai and admins/HR see every thread; other givers
  (assigning official, peer, subordinate) see the SKP's results to give feedback and only their own threads;
- realisasi and bukti dukung: whoever may see the SKP (owner, Pejabat Penilai, admins/HR); never peers;
- dialog/bimbingan/konseling records: the pegawai, their leader and admins (not HR, not peers);
- notifications: their recipient only.
"""

from dataclasses import dataclass
from typing import Any

from kinerja.access import id_or_404
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, User
from kinerja.tenancy import non_asn_of, pegawai_of
from skp.access import skp_access
from skp.models import Skp

from .models import (
    BuktiDukung,
    CatatanKinerja,
    Notifikasi,
    Penugasan,
    PenugasanKeluar,
    PenugasanLintas,
    PermintaanUmpanBalik,
    Realisasi,
    RencanaAksi,
    UmpanBalik,
)
from .selectors import (
    boleh_lihat_semua_umpan_balik,
    catatan_visible_to,
    is_pimpinan_of,
    linimasa_access_ok,
    penugasan_visible_to,
    peran_pemberi_untuk,
)


@dataclass
class AksesUmpanBalik:
    skp: Skp
    lihat_semua: bool  # owner, leader, admin/HR
    peran: str | None  # role in which the actor may give feedback (None: may not)
    pemilik: bool


def umpan_balik_skp_access(
    *, user: User, instansi: Instansi, roles: list[str], skp_id: Any
) -> AksesUmpanBalik:
    """The SKP for the feedback pages/API with what the actor may do there; 404 if they may do nothing."""
    skp = (
        Skp.objects.filter(instansi=instansi, pk=id_or_404(skp_id))
        .select_related(
            "pegawai__jabatan",
            "pegawai__unit_kerja",
            "pegawai__user",
            "pejabat_penilai",
            "pejabat_penilai_non_asn",
        )
        .first()
    )
    if skp is None:
        raise NotFoundOrForbidden()
    lihat_semua = boleh_lihat_semua_umpan_balik(user=user, skp=skp, roles=roles)
    peran = peran_pemberi_untuk(user=user, skp=skp)
    if not lihat_semua and peran is None:
        raise NotFoundOrForbidden()
    own = pegawai_of(user)
    return AksesUmpanBalik(
        skp=skp, lihat_semua=lihat_semua, peran=peran, pemilik=own is not None and own.pk == skp.pegawai_id
    )


def umpan_balik_access(
    *, user: User, instansi: Instansi, roles: list[str], umpan_balik_id: Any
) -> UmpanBalik:
    """A thread: its receiver and giver (a pegawai or a non-ASN official), the receiver's Pejabat Penilai,
    admins/HR."""
    ub = (
        UmpanBalik.objects.filter(instansi=instansi, pk=id_or_404(umpan_balik_id))
        .select_related("penerima", "pemberi", "pemberi_non_asn", "skp__pegawai")
        .first()
    )
    if ub is None:
        raise NotFoundOrForbidden()
    own = pegawai_of(user)
    if own is not None and own.pk in (ub.penerima_id, ub.pemberi_id):
        return ub
    official = non_asn_of(user) if own is None else None
    if official is not None and official.pk == ub.pemberi_non_asn_id:
        return ub
    if boleh_lihat_semua_umpan_balik(user=user, skp=ub.skp, roles=roles):
        return ub
    raise NotFoundOrForbidden()


def permintaan_access(*, user: User, instansi: Instansi, permintaan_id: Any) -> PermintaanUmpanBalik:
    """A request: the one who asked and the one asked (a pegawai, or a non-ASN official, issue #16)."""
    req = (
        PermintaanUmpanBalik.objects.filter(instansi=instansi, pk=id_or_404(permintaan_id))
        .select_related("diminta", "diminta_non_asn")
        .first()
    )
    if req is None:
        raise NotFoundOrForbidden()
    own = pegawai_of(user)
    if own is not None and own.pk in (req.peminta_id, req.diminta_id):
        return req
    official = non_asn_of(user) if own is None else None
    if official is not None and req.diminta_non_asn_id is not None and official.pk == req.diminta_non_asn_id:
        return req
    raise NotFoundOrForbidden()


def dokumentasi_skp_access(*, user: User, instansi: Instansi, roles: list[str], skp_id: Any) -> Skp:
    """An SKP for the realisasi page: visible to its owner, Pejabat Penilai and admins/HR (skp rules)."""
    return skp_access(user=user, instansi=instansi, roles=roles, skp_id=skp_id)


def bukti_access(*, user: User, instansi: Instansi, roles: list[str], bukti_id: Any) -> BuktiDukung:
    """A piece of evidence, only for those who may see its SKP (peers and outsiders: 404)."""
    bukti = (
        BuktiDukung.objects.filter(instansi=instansi, pk=id_or_404(bukti_id))
        .select_related("realisasi")
        .first()
    )
    if bukti is None:
        raise NotFoundOrForbidden()
    dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=bukti.realisasi.skp_id)
    return bukti


def rencana_aksi_access(
    *, user: User, instansi: Instansi, roles: list[str], rencana_aksi_id: Any
) -> RencanaAksi:
    aksi = RencanaAksi.objects.filter(instansi=instansi, pk=id_or_404(rencana_aksi_id)).first()
    if aksi is None:
        raise NotFoundOrForbidden()
    dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=aksi.skp_id)
    return aksi


def catatan_access(*, user: User, instansi: Instansi, roles: list[str], catatan_id: Any) -> CatatanKinerja:
    rec = (
        catatan_visible_to(user=user, instansi=instansi, roles=roles)
        .filter(pk=id_or_404(catatan_id))
        .select_related("pegawai__jabatan", "pegawai__unit_kerja", "pimpinan", "periode", "skp")
        .first()
    )
    if rec is None:
        raise NotFoundOrForbidden()
    return rec


def penugasan_access(*, user: User, instansi: Instansi, roles: list[str], penugasan_id: Any) -> Penugasan:
    p = (
        penugasan_visible_to(user=user, instansi=instansi, roles=roles)
        .filter(pk=id_or_404(penugasan_id))
        .first()
    )
    if p is None:
        raise NotFoundOrForbidden()
    return p


def notifikasi_access(*, user: User, instansi: Instansi, notifikasi_id: Any) -> Notifikasi:
    n = Notifikasi.objects.filter(instansi=instansi, penerima=user, pk=id_or_404(notifikasi_id)).first()
    if n is None:
        raise NotFoundOrForbidden()
    return n


def pegawai_linimasa_access(*, user: User, instansi: Instansi, roles: list[str], pegawai_id: Any) -> Pegawai:
    p = (
        Pegawai.objects.filter(instansi=instansi, pk=id_or_404(pegawai_id))
        .select_related("jabatan", "unit_kerja", "atasan")
        .first()
    )
    if p is None or not linimasa_access_ok(user=user, pegawai=p, roles=roles):
        raise NotFoundOrForbidden()
    return p


def pegawai_catatan_target(*, user: User, instansi: Instansi, pegawai_id: Any) -> Pegawai:
    """Whom a record may be written about: someone the user leads, or the user themself (dialog only)."""
    p = Pegawai.objects.filter(instansi=instansi, pk=id_or_404(pegawai_id)).select_related("jabatan").first()
    own = pegawai_of(user)
    if p is None or own is None:
        raise NotFoundOrForbidden()
    if p.pk != own.pk and not is_pimpinan_of(user=user, pegawai=p):
        raise NotFoundOrForbidden()
    return p


def pegawai_penugasan_target(*, instansi: Instansi, pegawai_id: Any) -> Pegawai:
    """Anyone active in the instansi can be assigned work (the Pejabat Penilai decides)."""
    p = Pegawai.objects.filter(instansi=instansi, aktif=True, pk=id_or_404(pegawai_id)).first()
    if p is None:
        raise NotFoundOrForbidden()
    return p


def realisasi_access(*, user: User, instansi: Instansi, roles: list[str], realisasi_id: Any) -> Realisasi:
    """A realisasi, only for those who may see its SKP (peers and outsiders: 404)."""
    obj = Realisasi.objects.filter(instansi=instansi, pk=id_or_404(realisasi_id)).first()
    if obj is None:
        raise NotFoundOrForbidden()
    dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=obj.skp_id)
    return obj


_ADMIN_LINTAS = {"admin_instansi", "platform_admin"}


def penugasan_lintas_access(
    *, user: User, instansi: Instansi, roles: list[str], penugasan_id: Any
) -> PenugasanLintas:
    """The receiving instansi's record of a penugasan from another instansi: the pegawai, their Pejabat
    Penilai (or leader line) and admins; else 404."""
    p = (
        PenugasanLintas.objects.filter(instansi=instansi, pk=id_or_404(penugasan_id))
        .select_related("pegawai__jabatan", "penilai", "pemberi_instansi", "rhk")
        .first()
    )
    if p is None:
        raise NotFoundOrForbidden()
    if _ADMIN_LINTAS & set(roles):
        return p
    own = pegawai_of(user)
    if own is not None and (
        own.pk in (p.pegawai_id, p.penilai_id) or is_pimpinan_of(user=user, pegawai=p.pegawai)
    ):
        return p
    raise NotFoundOrForbidden()


def penugasan_keluar_access(
    *, user: User, instansi: Instansi, roles: list[str], penugasan_id: Any
) -> PenugasanKeluar:
    """The assigner's own record of a penugasan sent to another instansi: the assigner (and admins,
    read-only); else 404."""
    p = (
        PenugasanKeluar.objects.filter(instansi=instansi, pk=id_or_404(penugasan_id))
        .select_related("pemberi", "tujuan_instansi")
        .first()
    )
    own = pegawai_of(user)
    if p is None or not ((own is not None and own.pk == p.pemberi_id) or _ADMIN_LINTAS & set(roles)):
        raise NotFoundOrForbidden()
    return p
