"""Document reads: by source (tenant-scoped) and by public code (the one cross-tenant lookup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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
# Soft dependency: kinerja must not import the evaluasi app (dependency direction kinerja ← skp ←
# evaluasi), so these reads reach its models through the app registry and are registered only when
# the app and its models exist (kinerja.documents). Their natural home is evaluasi/documents.py;
# the evaluasi team can move them there unchanged (same registry API).


def evaluasi_models_available() -> bool:
    from django.apps import apps

    if not apps.is_installed("evaluasi"):
        return False
    try:
        for name in ("Evaluasi", "AngkaKredit", "TindakLanjut", "KinerjaOrganisasi"):
            apps.get_model("evaluasi", name)
    except LookupError:
        return False
    return True


def _evaluasi_model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("evaluasi", name)


PREDIKAT_URUT = ["sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang"]


def _choices_label(model: Any, field: str) -> dict[str, str]:
    return {k: str(v) for k, v in model._meta.get_field(field).choices}


def _unit_scope(*, instansi: Instansi, unit_id: int | None) -> tuple[list[Any], dict[int, str]]:
    """Units in tree order (the subtree of ``unit_id`` or all) and their full path names. One query."""
    from kinerja.models import UnitKerja

    all_units = list(UnitKerja.objects.filter(instansi=instansi).only("id", "nama", "path").order_by("path"))
    by_id = {u.pk: u.nama for u in all_units}
    names = {u.pk: " / ".join(by_id.get(int(x), "?") for x in u.path.split(".") if x) for u in all_units}
    if unit_id is None:
        return all_units, names
    root = next((u for u in all_units if u.pk == unit_id), None)
    return [u for u in all_units if root is not None and u.path.startswith(root.path)], names


def predikat_per_unit_rows(
    *, instansi: Instansi, tahun: int, unit_id: int | None
) -> tuple[list[str], list[list[Any]]]:
    """Annual predikat distribution per unit (unit of the evaluation at year end). 3 queries."""
    from django.db.models import Count, Q

    Evaluasi = _evaluasi_model("Evaluasi")
    KinerjaOrganisasi = _evaluasi_model("KinerjaOrganisasi")
    label = _choices_label(Evaluasi, "predikat")
    org_label = _choices_label(KinerjaOrganisasi, "predikat")
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    ids = [u.pk for u in units]
    agg: dict[str, Any] = {"total": Count("id"), "dinilai": Count("id", filter=~Q(predikat=""))}
    agg.update({p: Count("id", filter=Q(predikat=p)) for p in PREDIKAT_URUT})
    counts = {
        r["unit_kerja_id"]: r
        for r in Evaluasi.objects.filter(
            instansi=instansi, tahun=tahun, jenis="tahunan", unit_kerja_id__in=ids
        )
        .values("unit_kerja_id")
        .annotate(**agg)
    }
    org = dict(
        KinerjaOrganisasi.objects.filter(
            instansi=instansi, tahun=tahun, periode__isnull=True, unit_kerja_id__in=ids
        ).values_list("unit_kerja_id", "predikat")
    )
    headers = [
        "Unit kerja",
        "Predikat organisasi",
        "Evaluasi tahunan",
        "Sudah berpredikat",
        *[label.get(p, p) for p in PREDIKAT_URUT],
        *[f"% {label.get(p, p)}" for p in PREDIKAT_URUT],
    ]
    rows = []
    total = {k: 0 for k in ["total", "dinilai", *PREDIKAT_URUT]}
    for u in units:
        r = counts.get(u.pk, {})
        dinilai = r.get("dinilai", 0)
        for k in total:
            total[k] += r.get(k, 0)
        rows.append(
            [
                names[u.pk],
                org_label.get(org.get(u.pk, ""), ""),
                r.get("total", 0),
                dinilai,
                *[r.get(p, 0) for p in PREDIKAT_URUT],
                *[round(100 * r.get(p, 0) / dinilai, 1) if dinilai else 0.0 for p in PREDIKAT_URUT],
            ]
        )
    d = total["dinilai"]
    rows.append(
        [
            "JUMLAH",
            "",
            total["total"],
            d,
            *[total[p] for p in PREDIKAT_URUT],
            *[round(100 * total[p] / d, 1) if d else 0.0 for p in PREDIKAT_URUT],
        ]
    )
    return headers, rows


def predikat_tahunan_rows(
    *, instansi: Instansi, tahun: int, unit_id: int | None
) -> tuple[list[str], list[list[Any]]]:
    """The annual predikat of every pegawai, with the angka kredit of JF (export only). 3 queries."""
    from kinerja.models.org import JenjangJf

    Evaluasi = _evaluasi_model("Evaluasi")
    AngkaKredit = _evaluasi_model("AngkaKredit")
    label = _choices_label(Evaluasi, "predikat")
    rating = _choices_label(Evaluasi, "rating_hasil_kerja")
    status = _choices_label(Evaluasi, "status")
    jenjang_label = {k: str(v) for k, v in JenjangJf.choices}
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    evals = list(
        Evaluasi.objects.filter(
            instansi=instansi, tahun=tahun, jenis="tahunan", unit_kerja_id__in=[u.pk for u in units]
        )
        .select_related("pegawai__jabatan")
        .order_by("unit_kerja__path", "pegawai__nama", "id")
    )
    ak = {
        a.pegawai_id: a
        for a in AngkaKredit.objects.filter(
            instansi=instansi, tahun=tahun, pegawai_id__in=[e.pegawai_id for e in evals]
        )
    }
    headers = [
        "NIP", "Nama", "Jabatan", "Jenis jabatan", "Unit kerja", "Rating hasil kerja", "Rating perilaku kerja",
        "Predikat", "Status", "Jenjang JF", "Persentase AK (%)", "Koefisien", "Bulan", "Angka kredit",
    ]  # fmt: skip
    rows = []
    for e in evals:
        a = ak.get(e.pegawai_id)
        rows.append(
            [
                e.pegawai.nip,
                e.pegawai.nama,
                e.pegawai.jabatan.nama,
                e.pegawai.jabatan.get_jenis_display(),
                names.get(e.unit_kerja_id, ""),
                rating.get(e.rating_hasil_kerja, ""),
                rating.get(e.rating_perilaku_kerja, ""),
                label.get(e.predikat, ""),
                status.get(e.status, e.status),
                jenjang_label.get(a.jenjang, a.jenjang) if a else "",
                float(a.persentase) if a else None,
                float(a.koefisien) if a else None,
                a.bulan if a else None,
                float(a.nilai) if a else None,
            ]
        )
    return headers, rows


def talent_pool_rows(
    *, instansi: Instansi, tahun: int, unit_id: int | None
) -> tuple[list[str], list[list[Any]]]:
    """Kandidat kelompok rencana suksesi (Sangat Baik two years running, recorded by the batch). 3 queries."""
    Evaluasi = _evaluasi_model("Evaluasi")
    TindakLanjut = _evaluasi_model("TindakLanjut")
    label = _choices_label(Evaluasi, "predikat")
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    items = list(
        TindakLanjut.objects.filter(instansi=instansi, tahun=tahun, jenis="talent_pool")
        .filter(evaluasi__unit_kerja_id__in=[u.pk for u in units])
        .select_related("pegawai__jabatan", "evaluasi")
        .order_by("evaluasi__unit_kerja__path", "pegawai__nama", "id")
    )
    lalu = dict(
        Evaluasi.objects.filter(
            instansi=instansi, tahun=tahun - 1, jenis="tahunan", pegawai_id__in=[t.pegawai_id for t in items]
        ).values_list("pegawai_id", "predikat")
    )
    headers = [
        "NIP",
        "Nama",
        "Jabatan",
        "Unit kerja",
        f"Predikat {tahun - 1}",
        f"Predikat {tahun}",
        "Dicatat",
    ]
    rows = [
        [
            t.pegawai.nip,
            t.pegawai.nama,
            t.pegawai.jabatan.nama,
            names.get(t.evaluasi.unit_kerja_id, ""),
            label.get(lalu.get(t.pegawai_id, ""), ""),
            label.get(t.evaluasi.predikat, ""),
            t.created_at.date().isoformat(),
        ]
        for t in items
    ]
    return headers, rows
