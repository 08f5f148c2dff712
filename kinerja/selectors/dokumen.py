"""Document reads: by source (tenant-scoped) and by public code (the one cross-tenant lookup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from kinerja.documents import format_public_code
from kinerja.models import Dokumen, Instansi, JenisDokumen
from kinerja.rls import rls_unrestricted
from kinerja.validators import mask_nip


def dokumen_for_source(
    *, instansi_id: int, jenis: str, sumber_type: str, sumber_id: int, sumber_versi: str | None = None
) -> Dokumen | None:
    """The newest document rendered from a source (of one version when ``sumber_versi`` is given)."""
    qs = Dokumen.objects.filter(
        instansi_id=instansi_id, jenis=jenis, sumber_type=sumber_type, sumber_id=sumber_id
    )
    if sumber_versi is not None:
        qs = qs.filter(sumber_versi=sumber_versi)
    return qs.order_by("-ditandatangani_at", "-id").first()


def dokumen_for_sources(
    *, instansi_id: int, jenis: str, sumber_type: str, sumber_ids: list[int]
) -> dict[int, Dokumen]:
    """The newest document of each source, in one query (bulk ZIP)."""
    rows = (
        Dokumen.objects.filter(
            instansi_id=instansi_id, jenis=jenis, sumber_type=sumber_type, sumber_id__in=sumber_ids
        )
        .order_by("sumber_id", "-ditandatangani_at", "-id")
        .distinct("sumber_id")
    )
    return {d.sumber_id: d for d in rows if d.sumber_id is not None}


def dokumen_list(*, instansi: Instansi, jenis: str | None = None) -> QuerySet[Dokumen]:
    qs = Dokumen.objects.filter(instansi=instansi)
    if jenis:
        qs = qs.filter(jenis=jenis)
    return qs.order_by("-ditandatangani_at", "-id")


@dataclass(frozen=True)
class DokumenPublik:
    """What the public verification page may know about a document (no ORM object escapes the
    unscoped lookup, so nothing can lazily query another tenant later)."""

    pk: int
    kode: str
    jenis: str
    judul: str
    instansi_nama: str
    pegawai_nama: str
    pegawai_nip_tersamar: str
    penandatangan: str
    sertifikat_subjek: str
    sertifikat_penerbit: str
    sertifikat_sha256: str
    akar_kepercayaan_pem: str
    demo: bool
    ditandatangani_at: dt.datetime
    sha256: str
    ukuran: int

    @property
    def kode_tampil(self) -> str:
        return format_public_code(self.kode)

    @property
    def jenis_label(self) -> str:
        try:
            return str(JenisDokumen(self.jenis).label)
        except ValueError:
            return self.jenis


_PUBLIC_FIELDS = (
    "id",
    "kode",
    "jenis",
    "judul",
    "instansi__nama",
    "pegawai_nama",
    "pegawai_nip",
    "penandatangan",
    "sertifikat_subjek",
    "sertifikat_penerbit",
    "sertifikat_sha256",
    "akar_kepercayaan_pem",
    "demo",
    "ditandatangani_at",
    "sha256",
    "ukuran",
)


def _publik(row: dict) -> DokumenPublik:
    return DokumenPublik(
        pk=row["id"],
        kode=row["kode"],
        jenis=row["jenis"],
        judul=row["judul"],
        instansi_nama=row["instansi__nama"],
        pegawai_nama=row["pegawai_nama"],
        pegawai_nip_tersamar=mask_nip(row["pegawai_nip"]) if row["pegawai_nip"] else "",
        penandatangan=row["penandatangan"],
        sertifikat_subjek=row["sertifikat_subjek"],
        sertifikat_penerbit=row["sertifikat_penerbit"],
        sertifikat_sha256=row["sertifikat_sha256"],
        akar_kepercayaan_pem=row["akar_kepercayaan_pem"],
        demo=row["demo"],
        ditandatangani_at=row["ditandatangani_at"],
        sha256=row["sha256"],
        ukuran=row["ukuran"],
    )


def dokumen_by_public_code_dangerously_unscoped(*, kode: str) -> DokumenPublik | None:
    """The document printed with this verification code, in any instansi.

    Why unscoped: ``/verifikasi/<kode>/`` is public (the QR code is scanned by anyone, without a
    login and so without a tenant scope). The 50-bit random code is the capability; the result is
    a read-only value object with the NIP already masked, never a model instance.
    """
    if not kode:
        return None
    with scopes_disabled(), rls_unrestricted():
        row = Dokumen.objects.filter(kode=kode).values(*_PUBLIC_FIELDS).first()
    return _publik(row) if row else None


def dokumen_by_sha256_dangerously_unscoped(*, sha256: str) -> DokumenPublik | None:
    """The document whose stored file has exactly this SHA-256, in any instansi.

    Why unscoped: the public upload check without a code; knowing a file's exact hash means
    holding the file, so this reveals nothing the uploader does not already have.
    """
    if len(sha256) != 64:
        return None
    with scopes_disabled(), rls_unrestricted():
        row = Dokumen.objects.filter(sha256=sha256).values(*_PUBLIC_FIELDS).order_by("id").first()
    return _publik(row) if row else None


# ---------------------------------------------------------------- evaluation exports (HR)
#
