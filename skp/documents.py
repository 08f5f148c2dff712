"""SKP documents: the SKP and Matriks Peran Hasil as PDF context (templates/dokumen/), the MPH and
SKP completion tables, and the SKP document jobs (bulk ZIP, PDF rekap) for kinerja's registry.

Pure reads and context building; the signed file is written by
``kinerja.services.dokumen.dokumen_create_signed`` inside Celery tasks (skp/tasks.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from kinerja.documents import (
    DocumentJob,
    ExportRequest,
    ExportRows,
    TabularExport,
    authorize_tahun_unit,
    register_export,
    register_job,
    tanggal_indonesia,
    waktu_indonesia,
)
from kinerja.models import Instansi, JenisDokumen, Pegawai, Role, TimKerja, UnitKerja
from kinerja.models.org import JPT, JenisJabatan
from kinerja.selectors.people import identitas_pegawai, identitas_penilai_of
from kinerja.validators import format_nip
from skp.models import Aspek, JenisRhk, Pendekatan, Skp, SkpStatus
from skp.snapshots import skp_instansi, skp_perilaku

SKP_TEMPLATE = "dokumen/skp.html"
MATRIKS_TEMPLATE = "dokumen/matriks_peran_hasil.html"
REKAP_TEMPLATE = "dokumen/rekap_skp_unit.html"
SKP_SUMBER = "skp.skp"
UNIT_SUMBER = "kinerja.unitkerja"
HR_ROLES = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN)

JENIS_JABATAN_JUDUL: dict[str, str] = {
    JenisJabatan.JPT_UTAMA: "PEJABAT PIMPINAN TINGGI UTAMA",
    JenisJabatan.JPT_MADYA: "PEJABAT PIMPINAN TINGGI MADYA",
    JenisJabatan.JPT_PRATAMA: "PEJABAT PIMPINAN TINGGI PRATAMA",
    JenisJabatan.ADMINISTRATOR: "PEJABAT ADMINISTRASI (ADMINISTRATOR)",
    JenisJabatan.PENGAWAS: "PEJABAT ADMINISTRASI (PENGAWAS)",
    JenisJabatan.PELAKSANA: "PEJABAT ADMINISTRASI (PELAKSANA)",
    JenisJabatan.FUNGSIONAL: "PEJABAT FUNGSIONAL",
}
_STATUS = dict(SkpStatus.choices)
_ASPEK = dict(Aspek.choices)


def status_label(status: str) -> str:
    return str(_STATUS.get(status, status))


def aspek_label(aspek: str) -> str:
    return str(_ASPEK.get(aspek, aspek))


# ---------------------------------------------------------------- SKP


def skp_identitas(skp: Skp) -> tuple[dict[str, str], dict[str, str] | None]:
    """(pegawai, pejabat penilai) as approved: the approval snapshots, live data only as fallback."""
    pegawai = skp.snapshot_pegawai or identitas_pegawai(skp.pegawai)
    penilai = (
        skp.snapshot_penilai
        if skp.snapshot_pegawai
        else identitas_penilai_of(
            skp, instansi_nama=skp.instansi.nama if skp.pejabat_penilai_non_asn_id else ""
        )
    )
    assert pegawai is not None  # noqa: S101 - an SKP always has a pegawai
    return pegawai, penilai


def skp_document_context(*, skp: Skp, instansi: Instansi, core_values: list[Any]) -> dict[str, Any]:
    """Everything ``dokumen/skp.html`` shows, as plain data. ``skp`` comes from
    ``skp_detail_queryset`` (results, indicators, leader results and behaviour prefetched). An
    approved SKP prints its approval snapshots (identities, instansi, leader results; ``core_values``
    from ``skp_perilaku``), never what others edited later."""
    pegawai, penilai = skp_identitas(skp)
    jenis_jabatan = pegawai.get("jenis_jabatan", "")
    is_jpt = jenis_jabatan in JPT
    kuantitatif = skp.pendekatan == Pendekatan.KUANTITATIF
    kolom = f"{'jpt' if is_jpt else 'ja'}_{'kuantitatif' if kuantitatif else 'kualitatif'}"
    # JPT tables carry a SUMBER DATA column (the linked PK indikator's data source, S002 l.194).
    jumlah_kolom = {"ja_kuantitatif": 6, "jpt_kuantitatif": 7, "ja_kualitatif": 4, "jpt_kualitatif": 5}[kolom]
    manual_iku: dict[tuple[str, str], dict[str, str]] = {}

    bagian = []
    for jenis, judul, nama in (
        (JenisRhk.UTAMA, "A. UTAMA", "utama"),
        (JenisRhk.TAMBAHAN, "B. TAMBAHAN", "tambahan"),
    ):
        rows = []
        for no, r in enumerate((r for r in skp.rhk.all() if r.jenis == jenis), start=1):
            indikator = [
                {"aspek": aspek_label(i.aspek), "iki": i.iki, "target": i.target} for i in r.indikator.all()
            ] or [{"aspek": "-", "iki": "-", "target": ""}]
            iku = r.indikator_pk_tampil
            if iku:
                manual_iku.setdefault((iku.get("sasaran", ""), iku.get("uraian", "")), iku)
            rows.append(
                {
                    "no": no,
                    "teks": r.rencana_hasil_kerja,
                    "rhk_pimpinan": r.rhk_pimpinan_tampil,
                    "tim_kerja": r.tim_kerja_tampil,
                    "perspektif": r.perspektif,
                    "iku": iku or {},
                    "penugasan_dari": r.penugasan_dari,
                    "indikator": indikator,
                    "baris": len(indikator),
                }
            )
        bagian.append({"judul": judul, "nama": nama, "rhk": rows})

    ekspektasi = {p.core_value: p.ekspektasi_khusus for p in skp.perilaku.all()}
    perilaku = [
        {
            "kode": cv.kode,
            "nama": cv.nama,
            "panduan": list(cv.panduan),
            "ekspektasi_khusus": ekspektasi.get(cv.kode, ""),
        }
        for cv in core_values
    ]
    lampiran = [
        {"judul": "DUKUNGAN SUMBER DAYA", "butir": list(skp.dukungan_sumber_daya or [])},
        {"judul": "SKEMA PERTANGGUNGJAWABAN", "butir": list(skp.skema_pertanggungjawaban or [])},
        {"judul": "KONSEKUENSI", "butir": list(skp.konsekuensi or [])},
    ]
    kop = skp_instansi(skp, instansi)
    tempat = kop.get("tempat") or kop.get("nama", "")
    ttd = {
        "tempat_tanggal": f"{tempat}, {tanggal_indonesia(skp.disetujui_at)}",
        "kiri": {
            "peran": "Pegawai yang Dinilai",
            "nama": pegawai.get("nama", ""),
            "nip": pegawai.get("nip", ""),
            "catatan": f"Diajukan secara elektronik {tanggal_indonesia(skp.diajukan_at)}"
            if skp.diajukan_at
            else "",
        },
        "kanan": {
            "peran": "Pejabat Penilai Kinerja",
            "nama": (penilai or {}).get("nama", ""),
            "nip": (penilai or {}).get("nip", ""),
            "catatan": f"Ditetapkan secara elektronik {tanggal_indonesia(skp.disetujui_at)}"
            if skp.disetujui_at
            else "",
        },
    }
    periode = f"{tanggal_indonesia(skp.periode_mulai)} s.d. {tanggal_indonesia(skp.periode_selesai)}"
    return {
        "judul": skp_document_title(skp=skp, nama=pegawai.get("nama", "")),
        "instansi": kop,
        "jenis_jabatan_judul": JENIS_JABATAN_JUDUL.get(jenis_jabatan, "PEGAWAI ASN"),
        "pendekatan_judul": "KUANTITATIF" if kuantitatif else "KUALITATIF",
        "periode": periode,
        "pegawai": pegawai,
        "penilai": penilai,
        "kolom": kolom,
        "jumlah_kolom": jumlah_kolom,
        "bagian_hasil": bagian,
        "perilaku": perilaku,
        "lampiran": lampiran,
        "manual_iku": list(manual_iku.values()) if is_jpt else [],
        "is_jpt": is_jpt,
        "ttd": ttd,
        "revisi": skp.revisi,
    }


def skp_document_title(*, skp: Skp, nama: str) -> str:
    rev = f" (revisi {skp.revisi})" if skp.revisi else ""
    return f"Sasaran Kinerja Pegawai {skp.tahun}{rev} - {nama}"


def skp_document_kwargs(*, skp: Skp, instansi: Instansi) -> dict[str, Any]:
    """Arguments for ``dokumen_create_signed`` for an approved SKP (one document per SKP version)."""
    pegawai, penilai = skp_identitas(skp)
    if penilai:
        signer_label = f"Pejabat Penilai Kinerja: {penilai.get('nama', '')}"
    else:
        signer_label = "Ditetapkan oleh admin instansi (tanpa Pejabat Penilai Kinerja di aplikasi)"
    return {
        "instansi_id": instansi.pk,
        "jenis": JenisDokumen.SKP,
        "judul": skp_document_title(skp=skp, nama=pegawai.get("nama", "")),
        "template_name": SKP_TEMPLATE,
        "context": lambda: skp_document_context(skp=skp, instansi=instansi, core_values=skp_perilaku(skp)),
        "signer_label": signer_label,
        "pegawai_id": skp.pegawai_id,
        "pegawai_nama": pegawai.get("nama", ""),
        "pegawai_nip": skp.pegawai.nip,
        "sumber_type": SKP_SUMBER,
        "sumber_id": skp.pk,
        "sumber_versi": skp_document_version(skp),
        "metadata": {"skp": skp.pk, "tahun": skp.tahun, "versi": skp.versi, "revisi": skp.revisi},
        "reason": f"Penetapan Sasaran Kinerja Pegawai {skp.tahun}",
    }


def skp_document_version(skp: Skp) -> str:
    """The approved content's version: the approval instant. An approved row is frozen (edits
    make a revision row), while ``versi`` still moves when it is superseded."""
    return skp.disetujui_at.isoformat() if skp.disetujui_at else f"versi-{skp.versi}"


def skp_document_filename(*, skp: Skp, kode: str = "") -> str:
    suffix = f"-{kode}" if kode else ""
    rev = f"-revisi{skp.revisi}" if skp.revisi else ""
    return f"SKP-{skp.tahun}-{skp.pegawai.nip}{rev}{suffix}.pdf"


# ---------------------------------------------------------------- Matriks Peran Hasil


def matriks_context(*, leader_skp: Skp, instansi: Instansi, tim: TimKerja | None = None) -> dict[str, Any]:
    """Columns = the leader's results (with indicators), rows = direct subordinates (with ``tim``: the
    team's current anggota, issue #16), cells = their results linked to the column or "N/A" (§4.9)."""
    from skp.selectors import matriks_peran_hasil

    m = matriks_peran_hasil(leader_skp=leader_skp, tahun=leader_skp.tahun, tim=tim)
    pegawai, _penilai = skp_identitas(leader_skp)
    kolom = [
        {
            "no": i,
            "teks": c.rencana_hasil_kerja,
            "jenis": c.jenis,
            "iki": [ind.iki for ind in c.indikator.all()],
        }
        for i, c in enumerate(m["columns"], start=1)
    ]
    baris = [
        {
            "nama": r["pegawai"].nama,
            "nip": format_nip(r["pegawai"].nip, r["pegawai"].status),
            "jabatan": r["pegawai"].jabatan.nama,
            "unit_kerja": r["pegawai"].unit_kerja.nama,
            "status_skp": status_label(r["skp"].status) if r["skp"] else "Belum ada SKP",
            "sel": [[x.rencana_hasil_kerja for x in cell] for cell in r["cells"]],
            "tidak_terkait": [x.rencana_hasil_kerja for x in r["unlinked"]],
        }
        for r in m["rows"]
    ]
    periode = (
        f"{tanggal_indonesia(leader_skp.periode_mulai)} s.d. {tanggal_indonesia(leader_skp.periode_selesai)}"
    )
    judul = f"Matriks Peran Hasil {leader_skp.tahun} - {pegawai.get('nama', '')}"
    if tim is not None:
        judul = f"Matriks Peran Hasil {leader_skp.tahun} - {tim.label(pegawai.get('nama', ''))}"
    return {
        "judul": judul,
        "tim": {"id": tim.pk, "nama": tim.nama} if tim else None,
        "instansi": {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat},
        "pimpinan": pegawai,
        "periode": periode,
        "kolom": kolom,
        "baris": baris,
        "tidak_didukung": [k["no"] for k, c in zip(kolom, m["columns"], strict=True) if c in m["uncovered"]],
        "dibuat": waktu_indonesia(timezone.now()),
    }


def _content_version(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def matriks_document_kwargs(
    *, leader_skp: Skp, instansi: Instansi, tim: TimKerja | None = None
) -> dict[str, Any]:
    """A matrix changes while subordinates plan: one signed document per distinct content (and team)."""
    ctx = matriks_context(leader_skp=leader_skp, instansi=instansi, tim=tim)
    versi_data = {k: ctx[k] for k in ("pimpinan", "periode", "kolom", "baris", "tim")}
    return {
        "instansi_id": instansi.pk,
        "jenis": JenisDokumen.MATRIKS_PERAN_HASIL,
        "judul": ctx["judul"],
        "template_name": MATRIKS_TEMPLATE,
        "context": ctx,
        "signer_label": f"Pimpinan: {ctx['pimpinan'].get('nama', '')}",
        "pegawai_id": leader_skp.pegawai_id,
        "pegawai_nama": ctx["pimpinan"].get("nama", ""),
        "pegawai_nip": leader_skp.pegawai.nip,
        "sumber_type": SKP_SUMBER,
        "sumber_id": leader_skp.pk,
        "sumber_versi": _content_version(versi_data),
        "metadata": {"skp": leader_skp.pk, "tahun": leader_skp.tahun, **({"tim": tim.pk} if tim else {})},
        "reason": f"Matriks Peran Hasil {leader_skp.tahun}",
    }


def _matriks_rows(req: ExportRequest) -> ExportRows:
    from skp.access import skp_access

    skp = skp_access(user=req.actor, instansi=req.instansi, roles=req.roles, skp_id=req.params["skp"])
    ctx = matriks_context(leader_skp=skp, instansi=req.instansi)
    headers = ["Nama", "NIP", "Jabatan", "Status SKP"]
    headers += [f"{k['no']}. {k['teks']}" for k in ctx["kolom"]]
    headers.append("Hasil kerja tanpa kaitan")
    rows = [
        [
            b["nama"],
            b["nip"],
            b["jabatan"],
            b["status_skp"],
            *["\n".join(cell) if cell else "N/A" for cell in b["sel"]],
            "\n".join(b["tidak_terkait"]),
        ]
        for b in ctx["baris"]
    ]
    return headers, rows


def _authorize_skp_param(req: ExportRequest) -> dict[str, Any]:
    from skp.access import skp_access, tim_matriks_access

    skp = skp_access(user=req.actor, instansi=req.instansi, roles=req.roles, skp_id=req.params.get("skp"))
    if req.params.get("tim"):
        # the team's matrix (issue #16): a team of that year led by the SKP's owner, else 404
        return {"skp": skp.pk, "tim": tim_matriks_access(skp=skp, tim_id=req.params["tim"]).pk}
    return {"skp": skp.pk}


# ---------------------------------------------------------------- SKP completion per unit


def _unit_names(units: list[UnitKerja]) -> dict[int, str]:
    """``{unit id: "Sekretariat / Bidang Umum"}`` from the materialised paths (no extra query)."""
    by_id = {u.pk: u.nama for u in units}
    return {u.pk: " / ".join(by_id.get(int(x), "?") for x in u.path.split(".") if x) or u.nama for u in units}


def skp_rekap_per_unit(*, instansi: Instansi, tahun: int, unit_id: int | None = None) -> list[dict[str, Any]]:
    """SKP completion per unit kerja for a year, in 4 queries whatever the size of the instansi.

    Per unit: active pegawai, pegawai without any SKP, SKP count per status (superseded versions
    excluded), and the share of pegawai with an approved SKP. Pegawai count in their current unit.
    """
    all_units = list(
        UnitKerja.objects.filter(instansi=instansi).only("id", "nama", "path", "depth").order_by("path")
    )
    names = _unit_names(all_units)
    units = all_units
    if unit_id is not None:
        root = next((u for u in all_units if u.pk == unit_id), None)
        units = [u for u in all_units if root is not None and u.path.startswith(root.path)]
    unit_ids = [u.pk for u in units]
    pegawai = dict(
        Pegawai.objects.filter(instansi=instansi, aktif=True, unit_kerja_id__in=unit_ids)
        .values("unit_kerja_id")
        .annotate(n=Count("id"))
        .values_list("unit_kerja_id", "n")
    )
    skp_base = Skp.objects.filter(
        instansi=instansi, tahun=tahun, pegawai__aktif=True, pegawai__unit_kerja_id__in=unit_ids
    ).exclude(status=SkpStatus.DIGANTI)
    per_status: dict[tuple[int, str], int] = {
        (u, s): n
        for u, s, n in skp_base.values("pegawai__unit_kerja_id", "status")
        .annotate(n=Count("id"))
        .values_list("pegawai__unit_kerja_id", "status", "n")
    }
    coverage = {
        row["pegawai__unit_kerja_id"]: row
        for row in skp_base.values("pegawai__unit_kerja_id").annotate(
            dengan_skp=Count("pegawai_id", distinct=True),
            disetujui=Count("pegawai_id", distinct=True, filter=Q(status=SkpStatus.DISETUJUI)),
        )
    }
    rows = []
    for u in units:
        n_pegawai = pegawai.get(u.pk, 0)
        cov: dict[str, Any] = dict(coverage.get(u.pk) or {})
        rows.append(
            {
                "unit_id": u.pk,
                "unit": names[u.pk],
                "unit_nama": u.nama,
                "depth": u.depth - (units[0].depth if units else 0),
                "pegawai": n_pegawai,
                "belum": max(0, n_pegawai - cov.get("dengan_skp", 0)),
                "status": {s: per_status.get((u.pk, s), 0) for s in REKAP_STATUS},
                "pegawai_disetujui": cov.get("disetujui", 0),
                "persen": round(100 * cov.get("disetujui", 0) / n_pegawai, 1) if n_pegawai else 0.0,
            }
        )
    return rows


REKAP_STATUS = [SkpStatus.DRAFT, SkpStatus.DIAJUKAN, SkpStatus.DIKEMBALIKAN, SkpStatus.DISETUJUI]


def rekap_total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = sum(r["pegawai"] for r in rows)
    ok = sum(r["pegawai_disetujui"] for r in rows)
    return {
        "pegawai": n,
        "belum": sum(r["belum"] for r in rows),
        "status": {s: sum(r["status"][s] for r in rows) for s in REKAP_STATUS},
        "pegawai_disetujui": ok,
        "persen": round(100 * ok / n, 1) if n else 0.0,
    }


def _rekap_rows(req: ExportRequest) -> ExportRows:
    rows = skp_rekap_per_unit(
        instansi=req.instansi, tahun=req.params["tahun"], unit_id=req.params.get("unit")
    )
    headers = [
        "Unit kerja",
        "Pegawai aktif",
        "Belum ada SKP",
        *[f"SKP {status_label(s).lower()}" for s in REKAP_STATUS],
        "Pegawai dengan SKP disetujui",
        "% disetujui",
    ]

    def line(label: str, r: dict[str, Any]) -> list[Any]:
        return [
            label,
            r["pegawai"],
            r["belum"],
            *[r["status"][s] for s in REKAP_STATUS],
            r["pegawai_disetujui"],
            r["persen"],
        ]

    out = [line(r["unit"], r) for r in rows]
    out.append(line("JUMLAH", rekap_total(rows)))
    return headers, out


def skp_rekap_context(*, instansi: Instansi, tahun: int, unit_id: int | None) -> dict[str, Any]:
    """Context of the PDF rekap: the counts table plus each unit's pegawai and their SKP status."""
    rows = skp_rekap_per_unit(instansi=instansi, tahun=tahun, unit_id=unit_id)
    unit_ids = [r["unit_id"] for r in rows]
    pegawai = list(
        Pegawai.objects.filter(instansi=instansi, aktif=True, unit_kerja_id__in=unit_ids)
        .select_related("jabatan")
        .order_by("unit_kerja__path", "nama", "id")
    )
    skps: dict[int, list[Skp]] = {}
    for s in (
        Skp.objects.filter(instansi=instansi, tahun=tahun, pegawai_id__in=[p.pk for p in pegawai])
        .exclude(status=SkpStatus.DIGANTI)
        .order_by("periode_mulai", "id")
        .only("id", "pegawai_id", "status", "periode_mulai", "periode_selesai", "disetujui_at")
    ):
        skps.setdefault(s.pegawai_id, []).append(s)
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for p in pegawai:
        own = skps.get(p.pk, [])
        by_unit.setdefault(p.unit_kerja_id, []).append(
            {
                "nama": p.nama,
                "nip": format_nip(p.nip, p.status),
                "jabatan": p.jabatan.nama,
                "status": ", ".join(status_label(s.status) for s in own) if own else "Belum ada SKP",
                "disetujui": ", ".join(tanggal_indonesia(s.disetujui_at) for s in own if s.disetujui_at),
                "lengkap": any(s.status == SkpStatus.DISETUJUI for s in own),
            }
        )
    unit_nama = rows[0]["unit"] if unit_id is not None and rows else "Seluruh unit kerja"
    total = rekap_total(rows)
    return {
        "judul": f"Rekap SKP {tahun} - {instansi.nama} - {unit_nama}",
        "instansi": {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat},
        "tahun": tahun,
        "cakupan": unit_nama,
        "status_kolom": [status_label(s) for s in REKAP_STATUS],
        "rekap": [{**r, "status_list": [r["status"][s] for s in REKAP_STATUS]} for r in rows],
        "total": {**total, "status_list": [total["status"][s] for s in REKAP_STATUS]},
        "unit_pegawai": [
            {"unit": r["unit"], "pegawai": by_unit.get(r["unit_id"], [])}
            for r in rows
            if by_unit.get(r["unit_id"])
        ],
        "dibuat": waktu_indonesia(timezone.now()),
    }


def skp_rekap_document_kwargs(*, instansi: Instansi, tahun: int, unit_id: int | None) -> dict[str, Any]:
    ctx = skp_rekap_context(instansi=instansi, tahun=tahun, unit_id=unit_id)
    versi = _content_version({k: ctx[k] for k in ("tahun", "cakupan", "rekap", "unit_pegawai")})
    return {
        "instansi_id": instansi.pk,
        "jenis": JenisDokumen.RINGKASAN_UNIT,
        "judul": ctx["judul"],
        "template_name": REKAP_TEMPLATE,
        "context": ctx,
        "signer_label": f"Sistem Kinerja {instansi.nama}",
        "sumber_type": UNIT_SUMBER if unit_id else "kinerja.instansi",
        "sumber_id": unit_id or instansi.pk,
        "sumber_versi": versi,
        "metadata": {"tahun": tahun, "unit": unit_id},
        "reason": f"Rekap SKP {tahun}",
    }


def skp_for_bulk_zip(*, instansi: Instansi, tahun: int, unit_id: int | None) -> QuerySet[Skp]:
    """Approved SKPs of a year (optionally of one unit subtree, by the pegawai's current unit)."""
    qs = Skp.objects.filter(instansi=instansi, tahun=tahun, status=SkpStatus.DISETUJUI)
    if unit_id is not None:
        unit = UnitKerja.objects.filter(instansi=instansi, pk=unit_id).only("path").first()
        qs = qs.filter(pegawai__unit_kerja__path__startswith=unit.path if unit else "-")
    return qs.select_related("pegawai__unit_kerja").order_by(
        "pegawai__unit_kerja__path", "pegawai__nama", "id"
    )


# ---------------------------------------------------------------- registry (kinerja.documents)

register_export(
    TabularExport(
        key="skp_rekap_unit",
        label=gettext_noop("Rekap penyusunan SKP per unit kerja"),
        description=gettext_noop(
            "Per unit: pegawai aktif, yang belum punya SKP, jumlah SKP per status, dan persentase pegawai dengan SKP disetujui."
        ),
        roles=HR_ROLES,
        params=("tahun", "unit"),
        rows=_rekap_rows,
        authorize=authorize_tahun_unit,
        filename=lambda req: (
            f"rekap-skp-{req.params['tahun']}"
            + (f"-unit{req.params['unit']}" if req.params.get("unit") else "")
        ),
        widths=(60, 12, 12, 10, 10, 12, 10, 14, 10),
    )
)
register_export(
    TabularExport(
        key="matriks_peran_hasil",
        label=gettext_noop("Matriks Peran Hasil"),
        description=gettext_noop(
            "Hasil kerja pimpinan (kolom) dan peran hasil setiap bawahan langsung (baris)."
        ),
        roles=(),
        params=("skp",),
        rows=_matriks_rows,
        authorize=_authorize_skp_param,
        filename=lambda req: f"matriks-peran-hasil-skp{req.params['skp']}",
        widths=(30, 22, 28, 14, 40, 40, 40, 40, 40, 40),
        hr_page=False,
    )
)
register_job(
    DocumentJob(
        key="skp_zip",
        label=gettext_noop("Semua PDF SKP yang disetujui (ZIP)"),
        description=gettext_noop(
            "PDF SKP bertanda tangan elektronik dari setiap pegawai, dengan MANIFEST.csv berisi kode verifikasi dan SHA-256."
        ),
        roles=HR_ROLES,
        params=("tahun", "unit"),
        task="skp.tasks.skp_bulk_zip_task",
        authorize=authorize_tahun_unit,
    )
)
register_job(
    DocumentJob(
        key="skp_rekap_pdf",
        label=gettext_noop("Rekap SKP per unit kerja (PDF)"),
        description=gettext_noop(
            "Ringkasan per unit dan daftar pegawai beserta status SKP-nya, ditandatangani elektronik."
        ),
        roles=HR_ROLES,
        params=("tahun", "unit"),
        task="skp.tasks.skp_rekap_pdf_task",
        authorize=authorize_tahun_unit,
    )
)
register_job(
    DocumentJob(
        key="matriks_peran_hasil_pdf",
        label=gettext_noop("Matriks Peran Hasil (PDF)"),
        description=gettext_noop("Matriks Peran Hasil dari SKP pimpinan, ditandatangani elektronik."),
        roles=(),
        params=("skp", "tim"),
        task="skp.tasks.skp_matriks_pdf_task",
        authorize=_authorize_skp_param,
        # "tim": the matrix of one of the SKP owner's teams (issue #16)
        hr_page=False,
    )
)
