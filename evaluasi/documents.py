"""Evaluation documents (domain.md §10): the Dokumen Evaluasi Kinerja Pegawai (periodic and annual),
the Penetapan Predikat Kinerja per unit, and the HR exports over evaluation data.

Pure reads and context building; the signed files are written by
``kinerja.services.dokumen.dokumen_create_signed`` inside Celery tasks (evaluasi/tasks.py), never in a
request. Autodiscovered by ``kinerja.documents`` (the exports below register on import).

Which evaluations get a document (``evaluasi_dokumen_alasan`` says why not):

* periodic: once the Pejabat Penilai has rated it (the rating is the PPK's decision for that period);
* annual: once final (the year-end batch), so the document carries the established predikat.

A document is versioned by its content (ratings, predikat, justification, keberatan outcome): a
re-rating or an accepted keberatan produces a new signed version, the old one stays verifiable.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from evaluasi.charts import grafik_distribusi
from evaluasi.models import (
    AngkaKredit,
    Evaluasi,
    JenisEvaluasi,
    Keberatan,
    KinerjaOrganisasi,
    StatusEvaluasi,
    StatusKeberatan,
    TindakLanjut,
)
from evaluasi.scoring import PREDIKAT_ORDER, Predikat, PredikatOrganisasi, Rating
from kinerja.documents import (
    BULAN,
    HR_ROLES,
    ExportRequest,
    ExportRows,
    TabularExport,
    authorize_tahun_unit,
    register_export,
    tanggal_indonesia,
)
from kinerja.models import Dokumen, Instansi, JenisDokumen, Pegawai, Periode, UnitKerja
from kinerja.models.tenancy import Siklus
from kinerja.selectors.dokumen import dokumen_for_source
from kinerja.selectors.people import identitas_non_asn, identitas_pegawai, identitas_penilai_of
from kinerja.validators import format_nip

EVALUASI_TEMPLATE = "evaluasi/pdf/evaluasi.html"
PENETAPAN_TEMPLATE = "evaluasi/pdf/penetapan_predikat.html"
GRAFIK_TEMPLATE = "evaluasi/pdf/grafik.svg"
EVALUASI_SUMBER = "evaluasi.evaluasi"
UNIT_SUMBER = "kinerja.unitkerja"

PENETAPAN_KOSONG = gettext_lazy(
    "Penetapan predikat dapat dibuat setelah sedikitnya satu pegawai unit ini diberi predikat untuk periode ini."
)
ROMAWI = {1: "I", 2: "II", 3: "III", 4: "IV"}
_PREDIKAT = dict(Predikat.choices)
_RATING = dict(Rating.choices)
_ORGANISASI = dict(PredikatOrganisasi.choices)


def _label(choices: dict[Any, Any], value: str, kosong: str = "-") -> str:
    return str(choices.get(value, value)) if value else kosong


def _versi(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


# ---------------------------------------------------------------- which evaluations get a document


def evaluasi_dokumen_alasan(ev: Evaluasi) -> str:
    """Why ``ev`` has no document yet ("" = it can have one). Shown to users as is (409)."""
    if not ev.predikat:
        return gettext(
            "Dokumen evaluasi tersedia setelah Pejabat Penilai Kinerja memberi rating dan predikat."
        )
    if ev.jenis == JenisEvaluasi.TAHUNAN and ev.status != StatusEvaluasi.FINAL:
        return gettext(
            "Dokumen evaluasi tahunan tersedia setelah predikat ditetapkan final "
            "oleh proses akhir tahun instansi."
        )
    return ""


def evaluasi_dokumen_versi(ev: Evaluasi, keberatan: Keberatan | None = None) -> str:
    """The content version: what the document shows of the decision (not the row's timestamps)."""
    k = keberatan if keberatan is not None else _keberatan_diputus(ev)
    return _versi(
        {
            "hk": ev.rating_hasil_kerja,
            "pk": ev.rating_perilaku_kerja,
            "predikat": ev.predikat,
            "justifikasi": ev.justifikasi,
            "dinilai": ev.dinilai_at,
            "diterima": ev.diterima_at,
            "keberatan": [
                k.status,
                k.predikat_baru,
                k.rating_hasil_kerja_baru,
                k.rating_perilaku_kerja_baru,
                k.catatan_keputusan,
            ]
            if k
            else None,
        }
    )


def evaluasi_dokumen_terkini(ev: Evaluasi, versi: str | None = None) -> Dokumen | None:
    """The signed document of the evaluation's current content version (None while not rendered)."""
    return dokumen_for_source(
        instansi_id=ev.instansi_id,
        jenis=JenisDokumen.EVALUASI_KINERJA,
        sumber_type=EVALUASI_SUMBER,
        sumber_id=ev.pk,
        sumber_versi=versi if versi is not None else evaluasi_dokumen_versi(ev),
    )


def _keberatan_diputus(ev: Evaluasi) -> Keberatan | None:
    return (
        Keberatan.objects.filter(instansi_id=ev.instansi_id, evaluasi=ev)
        .exclude(status=StatusKeberatan.DIAJUKAN)
        .select_related("pemutus__jabatan", "pemutus__unit_kerja", "pemutus_non_asn")
        .first()
    )


# ---------------------------------------------------------------- shared parts


def judul_periode(*, periode: Periode | None, siklus: str, besar: bool = True) -> str:
    """``TRIWULAN I`` … the annual one is ``TRIWULAN IV-AKHIR`` (PMK6 Anak Lampiran 4); ``SEMESTER I``/``II``
    for the semester cycle; with ``besar=False`` the same in title case (``Triwulan III``, ``Bulan Januari``)."""
    if periode is None:
        teks = "Triwulan IV-Akhir" if siklus == Siklus.TRIWULANAN else "Akhir Tahun"
    elif periode.siklus == Siklus.TRIWULANAN:
        teks = f"Triwulan {ROMAWI.get(periode.nomor, periode.nomor)}"
    elif periode.siklus == Siklus.SEMESTERAN:
        teks = f"Semester {ROMAWI.get(periode.nomor, periode.nomor)}"
    else:
        teks = f"Bulan {BULAN[periode.nomor - 1]}" if 1 <= periode.nomor <= 12 else f"Bulan {periode.nomor}"
    return teks.upper() if besar else teks


def rentang(*, tahun: int, periode: Periode | None) -> tuple[dt.date, dt.date]:
    if periode is not None:
        return periode.mulai, periode.selesai
    return dt.date(tahun, 1, 1), dt.date(tahun, 12, 31)


def grafik_data_uri(distribusi: dict[str, Any]) -> str:
    """The POLA DISTRIBUSI chart (actual bars over guideline bands) as an SVG ``data:`` URI."""
    g = grafik_distribusi(persen=distribusi["persen"], jumlah=distribusi["jumlah"], pita=distribusi["pita"])
    svg = render_to_string(GRAFIK_TEMPLATE, {"g": g})
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def distribusi_ringkas(distribusi: dict[str, Any]) -> dict[str, Any]:
    """The chart, the table of counts and the guideline lines, as plain data for the templates."""
    org = distribusi["organisasi"]
    return {
        "organisasi": _label(_ORGANISASI, org.predikat, "Belum ditetapkan") if org else "Belum ditetapkan",
        "organisasi_justifikasi": org.justifikasi if org else "",
        "grafik": grafik_data_uri(distribusi),
        "baris": [
            {
                "predikat": _label(_PREDIKAT, p),
                "jumlah": distribusi["jumlah"][p],
                "persen": distribusi["persen"][p],
                "pedoman": _pita_teks(distribusi["pita"].get(p)),
            }
            for p in reversed(PREDIKAT_ORDER)
        ],
        "dinilai": distribusi["dinilai"],
        "belum_dinilai": distribusi["belum_dinilai"],
        "syarat": [str(s) for s in distribusi["syarat"]],
        "aturan": f"{distribusi['aturan'].nama} (versi {distribusi['aturan'].versi})",
        "peringatan": [
            {"pesan": str(w["p"].pesan), "alasan": w["alasan"].alasan if w["alasan"] else ""}
            for w in distribusi["peringatan"]
        ],
    }


def _pita_teks(band: tuple[float, float] | None) -> str:
    if not band or tuple(band) == (0.0, 100.0):
        return "bebas"
    lo, hi = band
    if lo and hi < 100:
        return f"{lo:g}-{hi:g}%"
    return f"min {lo:g}%" if lo else f"maks {hi:g}%"


# ---------------------------------------------------------------- Dokumen Evaluasi Kinerja Pegawai


def _realisasi_per_indikator(ev: Evaluasi, periods: list[Periode]) -> dict[int, list[dict[str, Any]]]:
    """Realisasi with its evidence per indikator: the period's (periodic) or each period's (annual)."""
    from evaluasi.selectors import _dialog

    fn = _dialog("realisasi_for_periode")
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if fn is None:
        return out
    for periode in periods:
        for r in fn(instansi=ev.instansi, skp=ev.skp, periode=periode):
            bukti = [b.judul or b.nama_berkas or b.tautan for b in r.bukti.all()]
            out[r.indikator_id].append(
                {
                    "periode": judul_periode(periode=periode, siklus=periode.siklus, besar=False)
                    if len(periods) > 1
                    else "",
                    "teks": r.realisasi,
                    "keterangan": r.keterangan,
                    "bukti": [b for b in bukti if b],
                }
            )
    return out


def _umpan_balik(
    ev: Evaluasi,
) -> tuple[dict[int, list[dict[str, str]]], dict[str, list[dict[str, str]]], list[dict[str, str]]]:
    """Feedback of the evaluation's period(s), grouped: per result, per core value, and the rest."""
    from evaluasi.selectors import umpan_balik_evaluasi

    per_rhk: dict[int, list[dict[str, str]]] = defaultdict(list)
    per_nilai: dict[str, list[dict[str, str]]] = defaultdict(list)
    lain: list[dict[str, str]] = []
    for ub in umpan_balik_evaluasi(evaluasi=ev):
        item = {
            "pemberi": ub.pemberi_nama,
            "tanggal": tanggal_indonesia(ub.created_at),
            "isi": ub.isi,
        }
        rhk_id = ub.rhk_id or (ub.realisasi.rhk_id if ub.realisasi_id and ub.realisasi else None)
        if rhk_id:
            per_rhk[rhk_id].append(item)
        elif ub.core_value:
            per_nilai[ub.core_value].append(item)
        else:
            lain.append(item)
    return per_rhk, per_nilai, lain


def evaluasi_document_context(*, ev: Evaluasi) -> dict[str, Any]:
    """Everything ``evaluasi/pdf/evaluasi.html`` shows, as plain data. ``ev`` from
    ``evaluasi_detail_queryset``. A fixed number of queries (two per period for realisasi)."""
    from evaluasi.selectors import distribusi_unit, evaluasi_periodik_tahun, periode_tahun
    from kinerja.models.org import JPT
    from skp.documents import JENIS_JABATAN_JUDUL, aspek_label, skp_identitas
    from skp.models import JenisRhk, Pendekatan
    from skp.selectors import skp_detail_queryset
    from skp.snapshots import skp_perilaku

    instansi = ev.instansi
    skp = skp_detail_queryset(instansi=instansi).get(pk=ev.skp_id)
    pegawai, penilai_skp = skp_identitas(skp)
    # The SKP's approval snapshot when the evaluation's Pejabat Penilai is the one who approved it
    # (a later rename/move must not change the record); a different penilai (mutasi) as they are now.
    penilai: dict[str, str] | None
    if (
        skp.snapshot_pegawai
        and ev.pejabat_penilai_id == skp.pejabat_penilai_id
        and ev.pejabat_penilai_non_asn_id == skp.pejabat_penilai_non_asn_id
        and penilai_skp
    ):
        penilai = penilai_skp
    else:
        penilai = identitas_penilai_of(ev, instansi_nama=instansi.nama) or penilai_skp
    tahunan = ev.jenis == JenisEvaluasi.TAHUNAN
    if tahunan:
        periods = [
            p
            for p in periode_tahun(instansi=instansi, tahun=ev.tahun)
            if p.mulai <= skp.periode_selesai and p.selesai >= skp.periode_mulai
        ]
    else:
        periods = [ev.periode] if ev.periode is not None else []
    realisasi = _realisasi_per_indikator(ev, periods)
    ub_rhk, ub_nilai, ub_lain = _umpan_balik(ev)
    is_jpt = pegawai.get("jenis_jabatan", "") in JPT
    kuantitatif = skp.pendekatan == Pendekatan.KUANTITATIF

    bagian = []
    for jenis, judul in ((JenisRhk.UTAMA, "A. UTAMA"), (JenisRhk.TAMBAHAN, "B. TAMBAHAN")):
        rows = []
        for no, r in enumerate((r for r in skp.rhk.all() if r.jenis == jenis), start=1):
            indikator = [
                {
                    "aspek": aspek_label(i.aspek),
                    "iki": i.iki,
                    "target": i.target,
                    "realisasi": realisasi.get(i.pk, []),
                }
                for i in r.indikator.all()
            ] or [{"aspek": "-", "iki": "-", "target": "", "realisasi": []}]
            rows.append(
                {
                    "no": no,
                    "teks": r.rencana_hasil_kerja,
                    "rhk_pimpinan": r.rhk_pimpinan_tampil,
                    "perspektif": r.perspektif,
                    "indikator": indikator,
                    "baris": len(indikator),
                    "umpan_balik": ub_rhk.get(r.pk, []),
                }
            )
        bagian.append({"judul": judul, "rhk": rows})

    ekspektasi = {p.core_value: p.ekspektasi_khusus for p in skp.perilaku.all()}
    perilaku = [
        {
            "nama": cv.nama,
            "panduan": list(cv.panduan),
            "ekspektasi_khusus": ekspektasi.get(cv.kode, ""),
            "umpan_balik": ub_nilai.get(cv.kode, []),
        }
        for cv in skp_perilaku(skp)
    ]
    d = distribusi_unit(instansi=instansi, unit=ev.unit_kerja, tahun=ev.tahun, periode=ev.periode)
    keberatan = _keberatan_diputus(ev)
    tempat = instansi.tempat or instansi.nama
    ditetapkan = ev.final_at if tahunan and ev.final_at else ev.dinilai_at
    mulai, selesai = rentang(tahun=ev.tahun, periode=ev.periode)
    if tahunan:  # the stint evaluated (a mutasi splits the year)
        mulai, selesai = max(mulai, skp.periode_mulai), min(selesai, skp.periode_selesai)
    periodik = (
        [
            {
                "periode": judul_periode(periode=p.periode, siklus=instansi.siklus, besar=False),
                "predikat": _label(_PREDIKAT, p.predikat, "Belum dinilai"),
            }
            for p in evaluasi_periodik_tahun(evaluasi=ev)
        ]
        if tahunan
        else []
    )
    return {
        "judul": evaluasi_document_title(ev=ev, nama=pegawai.get("nama", "")),
        "instansi": {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat},
        "jenis_jabatan_judul": JENIS_JABATAN_JUDUL.get(pegawai.get("jenis_jabatan", ""), "PEGAWAI ASN"),
        "pendekatan_judul": "KUANTITATIF" if kuantitatif else "KUALITATIF",
        "judul_periode": judul_periode(periode=ev.periode, siklus=instansi.siklus),
        "periode": f"{tanggal_indonesia(mulai)} s.d. {tanggal_indonesia(selesai)}",
        "tahunan": tahunan,
        "pegawai": pegawai,
        "penilai": penilai,
        "kuantitatif": kuantitatif,
        "tampil_pimpinan": not is_jpt,
        # a JPT's evaluation repeats the JPT SKP's PERSPEKTIF column (domain §4.4; issue #17)
        "tampil_perspektif": is_jpt,
        # NO + (pimpinan) + RHK + (aspek, IKI, target | ukuran keberhasilan) + (perspektif) + realisasi + umpan balik
        "jumlah_kolom": 1 + int(not is_jpt) + 1 + (3 if kuantitatif else 1) + int(is_jpt) + 2,
        "bagian_hasil": bagian,
        "perilaku": perilaku,
        "umpan_balik_lain": ub_lain,
        "distribusi": distribusi_ringkas(d),
        "unit_kerja": ev.unit_kerja.nama,
        "rating_hasil_kerja": _label(_RATING, ev.rating_hasil_kerja).upper(),
        "rating_perilaku_kerja": _label(_RATING, ev.rating_perilaku_kerja).upper(),
        "predikat": _label(_PREDIKAT, ev.predikat).upper(),
        "justifikasi": ev.justifikasi,
        "periodik": periodik,
        "keberatan": {
            "status": "DITERIMA" if keberatan.status == StatusKeberatan.DITERIMA else "DITOLAK",
            "predikat_semula": _label(_PREDIKAT, keberatan.predikat_semula),
            "predikat_baru": _label(_PREDIKAT, keberatan.predikat_baru, ""),
            "rating_semula": " / ".join(
                _label(_RATING, r)
                for r in (keberatan.rating_hasil_kerja_semula, keberatan.rating_perilaku_kerja_semula)
            ),
            "rating_baru": " / ".join(
                _label(_RATING, r, "")
                for r in (keberatan.rating_hasil_kerja_baru, keberatan.rating_perilaku_kerja_baru)
                if r
            ),
            "catatan": keberatan.catatan_keputusan,
            "pemutus": identitas_pegawai(keberatan.pemutus)
            or identitas_non_asn(keberatan.pemutus_non_asn, instansi_nama=ev.instansi.nama),
            "tanggal": tanggal_indonesia(keberatan.diputus_at),
        }
        if keberatan
        else None,
        "ttd": {
            "tempat_tanggal": f"{tempat}, {tanggal_indonesia(ditetapkan)}",
            "kiri": {
                "peran": "Pegawai yang Dinilai",
                "nama": pegawai.get("nama", ""),
                "nip": pegawai.get("nip", ""),
                # domain.md "Keberatan on periodic results": the delivery date, from which the keberatan
                # days count (periodic: rated; annual: final)
                "catatan": f"Diterima oleh pegawai pada {tanggal_indonesia(ev.diterima_at)}"
                if ev.diterima_at
                else "",
            },
            "kanan": {
                "peran": "Pejabat Penilai Kinerja",
                "nama": (penilai or {}).get("nama", ""),
                "nip": (penilai or {}).get("nip", ""),
                "catatan": f"Dinilai secara elektronik {tanggal_indonesia(ev.dinilai_at)}"
                if ev.dinilai_at
                else "",
            },
        },
    }


def evaluasi_document_title(*, ev: Evaluasi, nama: str) -> str:
    if ev.jenis == JenisEvaluasi.TAHUNAN:
        return f"Evaluasi Kinerja Pegawai Tahunan {ev.tahun} - {nama}"
    periode = judul_periode(periode=ev.periode, siklus=ev.instansi.siklus, besar=False)
    return f"Evaluasi Kinerja Pegawai {periode} {ev.tahun} - {nama}"


def evaluasi_document_kwargs(*, ev: Evaluasi) -> dict[str, Any]:
    """Arguments for ``dokumen_create_signed`` for a rated (periodic) or final (annual) evaluation."""
    penilai = ev.pejabat_penilai or ev.pejabat_penilai_non_asn
    signer = f"Pejabat Penilai Kinerja: {penilai.nama}" if penilai else "Pejabat Penilai Kinerja"
    keberatan = _keberatan_diputus(ev)
    return {
        "instansi_id": ev.instansi_id,
        "jenis": JenisDokumen.EVALUASI_KINERJA,
        "judul": evaluasi_document_title(ev=ev, nama=ev.pegawai.nama),
        "template_name": EVALUASI_TEMPLATE,
        "context": lambda: evaluasi_document_context(ev=ev),
        "signer_label": signer,
        "pegawai_id": ev.pegawai_id,
        "pegawai_nama": ev.pegawai.nama,
        "pegawai_nip": ev.pegawai.nip,
        "sumber_type": EVALUASI_SUMBER,
        "sumber_id": ev.pk,
        "sumber_versi": evaluasi_dokumen_versi(ev, keberatan),
        "metadata": {
            "evaluasi": ev.pk,
            "jenis": ev.jenis,
            "tahun": ev.tahun,
            "periode": ev.periode_id,
            "predikat": ev.predikat,
        },
        "reason": f"Penetapan predikat kinerja pegawai {ev.tahun}",
    }


def evaluasi_dokumen_filename(*, ev: Evaluasi, kode: str = "") -> str:
    bagian = (
        "tahunan" if ev.jenis == JenisEvaluasi.TAHUNAN else f"periode{ev.periode.nomor if ev.periode else ''}"
    )
    suffix = f"-{kode}" if kode else ""
    return f"Evaluasi-{ev.tahun}-{bagian}-{ev.pegawai.nip}{suffix}.pdf"


# ---------------------------------------------------------------- Penetapan Predikat Kinerja (per unit)


def penetapan_context(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> dict[str, Any]:
    """Org predikat, distribution and every pegawai's predikat of one unit (SE 3/2023). 6 queries."""
    from evaluasi.selectors import distribusi_unit, laporan_unit_pegawai, unit_pimpinan

    d = distribusi_unit(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    org: KinerjaOrganisasi | None = d["organisasi"]
    penetap = None
    if org is not None and org.ditetapkan_oleh_id:
        penetap = (
            Pegawai.objects.filter(instansi=instansi, user_id=org.ditetapkan_oleh_id)
            .select_related("jabatan", "unit_kerja")
            .first()
        )
    if penetap is None:
        penetap = unit_pimpinan(unit=unit)
    ident = identitas_pegawai(penetap)
    pegawai = [
        {
            "nama": e.pegawai.nama,
            "nip": format_nip(e.pegawai.nip, e.pegawai.status),
            "jabatan": e.pegawai.jabatan.nama,
            "hk": _label(_RATING, e.rating_hasil_kerja),
            "pk": _label(_RATING, e.rating_perilaku_kerja),
            "predikat": _label(_PREDIKAT, e.predikat, "Belum dinilai"),
        }
        for e in laporan_unit_pegawai(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    ]
    tempat = instansi.tempat or instansi.nama
    mulai, selesai = rentang(tahun=tahun, periode=periode)
    tanggal = org.updated_at if org is not None else None
    label_periode = judul_periode(periode=periode, siklus=instansi.siklus)
    return {
        "judul": penetapan_title(unit=unit, tahun=tahun, periode=periode, siklus=instansi.siklus),
        "instansi": {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat},
        "unit_kerja": unit.nama,
        "judul_periode": label_periode,
        "tahun": tahun,
        "periode": f"{tanggal_indonesia(mulai)} s.d. {tanggal_indonesia(selesai)}",
        "distribusi": distribusi_ringkas(d),
        "pegawai": pegawai,
        "penetap": ident,
        "ttd": {
            "tempat_tanggal": f"{tempat}, {tanggal_indonesia(tanggal)}" if tanggal else tempat,
            "peran": "Pejabat yang menetapkan predikat kinerja organisasi dan pola distribusi",
            "nama": (ident or {}).get("nama", ""),
            "nip": (ident or {}).get("nip", ""),
            "jabatan": (ident or {}).get("jabatan", ""),
        },
    }


def penetapan_title(*, unit: UnitKerja, tahun: int, periode: Periode | None, siklus: str) -> str:
    bagian = "Tahunan" if periode is None else judul_periode(periode=periode, siklus=siklus, besar=False)
    return f"Penetapan Predikat Kinerja {bagian} {tahun} - {unit.nama}"


def penetapan_document_kwargs(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> dict[str, Any]:
    """One signed document per distinct content of a unit's predikat list (it changes while rating)."""
    ctx = penetapan_context(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    isi = {k: ctx[k] for k in ("unit_kerja", "judul_periode", "tahun", "pegawai", "penetap")}
    isi["distribusi"] = {k: v for k, v in ctx["distribusi"].items() if k != "grafik"}
    return {
        "instansi_id": instansi.pk,
        "jenis": JenisDokumen.PENETAPAN_PREDIKAT,
        "judul": ctx["judul"],
        "template_name": PENETAPAN_TEMPLATE,
        "context": ctx,
        "signer_label": f"Penetap predikat organisasi: {ctx['ttd']['nama'] or unit.nama}",
        "pegawai_id": None,
        "pegawai_nama": ctx["ttd"]["nama"],
        "pegawai_nip": ctx["ttd"]["nip"].replace(" ", ""),
        "sumber_type": UNIT_SUMBER,
        "sumber_id": unit.pk,
        "sumber_versi": penetapan_versi(tahun=tahun, periode=periode, isi=isi),
        "metadata": {"unit": unit.pk, "tahun": tahun, "periode": periode.pk if periode else None},
        "reason": f"Penetapan predikat kinerja pegawai {unit.nama} {tahun}",
    }


def penetapan_versi(*, tahun: int, periode: Periode | None, isi: dict[str, Any]) -> str:
    """``<tahun>-<periode id|tahunan>-<content hash>``: the prefix finds a unit's documents of a period."""
    return f"{penetapan_prefix(tahun=tahun, periode=periode)}{_versi(isi)}"


def penetapan_prefix(*, tahun: int, periode: Periode | None) -> str:
    return f"{tahun}-{periode.pk if periode else 'tahunan'}-"


def penetapan_filename(*, unit: UnitKerja, tahun: int, periode: Periode | None, kode: str = "") -> str:
    bagian = "tahunan" if periode is None else f"periode{periode.nomor}"
    suffix = f"-{kode}" if kode else ""
    return f"Penetapan-Predikat-{tahun}-{bagian}-unit{unit.pk}{suffix}.pdf"


# ---------------------------------------------------------------- HR exports (tabular)


def _unit_scope(*, instansi: Instansi, unit_id: int | None) -> tuple[list[UnitKerja], dict[int, str]]:
    """Units in tree order (the subtree of ``unit_id`` or all) and their full path names. One query."""
    all_units = list(UnitKerja.objects.filter(instansi=instansi).only("id", "nama", "path").order_by("path"))
    by_id = {u.pk: u.nama for u in all_units}
    names = {u.pk: " / ".join(by_id.get(int(x), "?") for x in u.path.split(".") if x) for u in all_units}
    if unit_id is None:
        return all_units, names
    root = next((u for u in all_units if u.pk == unit_id), None)
    return [u for u in all_units if root is not None and u.path.startswith(root.path)], names


PREDIKAT_URUT = [str(p) for p in PREDIKAT_ORDER]  # best → worst


def predikat_per_unit_rows(*, instansi: Instansi, tahun: int, unit_id: int | None) -> ExportRows:
    """Annual predikat distribution per unit (unit of the evaluation at year end). 3 queries."""
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    ids = [u.pk for u in units]
    agg: dict[str, Any] = {"total": Count("id"), "dinilai": Count("id", filter=~Q(predikat=""))}
    agg.update({p: Count("id", filter=Q(predikat=p)) for p in PREDIKAT_URUT})
    counts: dict[int, dict[str, Any]] = {
        r["unit_kerja_id"]: dict(r)
        for r in Evaluasi.objects.filter(
            instansi=instansi, tahun=tahun, jenis=JenisEvaluasi.TAHUNAN, unit_kerja_id__in=ids
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
        *[_label(_PREDIKAT, p) for p in PREDIKAT_URUT],
        *[f"% {_label(_PREDIKAT, p)}" for p in PREDIKAT_URUT],
    ]
    rows: list[list[Any]] = []
    total = dict.fromkeys(["total", "dinilai", *PREDIKAT_URUT], 0)
    for u in units:
        r: dict[str, Any] = counts.get(u.pk, {})
        dinilai = r.get("dinilai", 0)
        for k in total:
            total[k] += r.get(k, 0)
        rows.append(
            [
                names[u.pk],
                _label(_ORGANISASI, org.get(u.pk, ""), ""),
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


def _jenjang_rincian(a: AngkaKredit, label: dict[str, str]) -> str:
    """The jenjang; across a promotion every jenjang with its months and koefisien (issue #17)."""
    if len(a.rincian or []) <= 1:
        return label.get(a.jenjang, a.jenjang)
    return "; ".join(
        f"{label.get(r['jenjang'], r['jenjang'])} {r['bulan']} bln x {r['koefisien']}" for r in a.rincian
    )


def predikat_tahunan_rows(*, instansi: Instansi, tahun: int, unit_id: int | None) -> ExportRows:
    """The annual predikat of every pegawai, with the angka kredit of JF (export only). 3 queries."""
    from kinerja.models.org import JenjangJf

    status = dict(StatusEvaluasi.choices)
    jenjang_label = {k: str(v) for k, v in JenjangJf.choices}
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    evals = list(
        Evaluasi.objects.filter(
            instansi=instansi,
            tahun=tahun,
            jenis=JenisEvaluasi.TAHUNAN,
            unit_kerja_id__in=[u.pk for u in units],
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
                _label(_RATING, e.rating_hasil_kerja, ""),
                _label(_RATING, e.rating_perilaku_kerja, ""),
                _label(_PREDIKAT, e.predikat, ""),
                str(status.get(e.status, e.status)),
                _jenjang_rincian(a, jenjang_label) if a else "",
                float(a.persentase) if a else None,
                float(a.koefisien) if a else None,
                a.bulan if a else None,
                float(a.nilai) if a else None,
            ]
        )
    return headers, rows


def talent_pool_rows(*, instansi: Instansi, tahun: int, unit_id: int | None) -> ExportRows:
    """Kandidat kelompok rencana suksesi (Sangat Baik two years running, recorded by the batch). 3 queries."""
    units, names = _unit_scope(instansi=instansi, unit_id=unit_id)
    items = list(
        TindakLanjut.objects.filter(instansi=instansi, tahun=tahun, jenis="talent_pool")
        .filter(evaluasi__unit_kerja_id__in=[u.pk for u in units])
        .select_related("pegawai__jabatan", "evaluasi")
        .order_by("evaluasi__unit_kerja__path", "pegawai__nama", "id")
    )
    lalu = dict(
        Evaluasi.objects.filter(
            instansi=instansi,
            tahun=tahun - 1,
            jenis=JenisEvaluasi.TAHUNAN,
            pegawai_id__in=[t.pegawai_id for t in items],
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
            _label(_PREDIKAT, lalu.get(t.pegawai_id, ""), ""),
            _label(_PREDIKAT, t.evaluasi.predikat, ""),
            t.created_at.date().isoformat(),
        ]
        for t in items
    ]
    return headers, rows


def _export_filename(key: str) -> Callable[[ExportRequest], str]:
    def filename(req: ExportRequest) -> str:
        unit = f"-unit{req.params['unit']}" if req.params.get("unit") else ""
        return f"{key.replace('_', '-')}-{req.params['tahun']}{unit}"

    return filename


def _register_exports() -> None:
    for key, label, description, fn, widths in (
        (
            "predikat_per_unit",
            gettext_noop("Distribusi predikat kinerja per unit kerja"),
            gettext_noop(
                "Evaluasi tahunan per unit: predikat organisasi, jumlah dan persentase setiap predikat pegawai."
            ),
            predikat_per_unit_rows,
            (60, 18, 12, 12, 10, 10, 12, 12, 12),
        ),
        (
            "predikat_tahunan",
            gettext_noop("Daftar predikat tahunan dan angka kredit JF"),
            gettext_noop(
                "Predikat tahunan setiap pegawai beserta konversi angka kredit untuk jabatan fungsional (hanya ekspor)."
            ),
            predikat_tahunan_rows,
            (22, 32, 30, 16, 50, 20, 20, 18, 12, 14, 12, 10, 8, 12),
        ),
        (
            "talent_pool",
            gettext_noop("Kandidat talent pool (rencana suksesi)"),
            gettext_noop(
                "Pegawai dengan predikat Sangat Baik dua tahun berturut-turut yang dicatat proses akhir tahun."
            ),
            talent_pool_rows,
            (22, 32, 30, 50, 16, 16, 12),
        ),
    ):

        def rows(req: ExportRequest, fn: Callable[..., ExportRows] = fn) -> ExportRows:
            return fn(instansi=req.instansi, tahun=req.params["tahun"], unit_id=req.params.get("unit"))

        register_export(
            TabularExport(
                key=key,
                label=label,
                description=description,
                rows=rows,
                filename=_export_filename(key),
                widths=widths,
                roles=HR_ROLES,
                params=("tahun", "unit"),
                authorize=authorize_tahun_unit,
            )
        )


_register_exports()
