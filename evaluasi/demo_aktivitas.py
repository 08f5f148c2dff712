"""A year and a bit of demo activity for one instansi: SKPs, realisasi with evidence, feedback threads,
periodic ratings and last year's finalised annual evaluations (``manage.py seed_demo``).

It lives in ``evaluasi`` because it spans every app (kinerja ← skp ← dialog/evaluasi); ``seed_demo``
imports it lazily. Set-based where the volume is (bulk inserts of SKPs, results, indicators, realisasi,
feedback, ratings; one statement per table), through the services where the behaviour matters and the
volume is small: the periodic/annual evaluation rows (``evaluasi_*_ensure``), the year-end batch chunks
that finalise last year (``evaluasi.batch``), evidence files (``bukti_add``: content sniffed and stored
like an upload). Bulk rows are backdated to when they would have been written.

"Today" is ``timezone.localdate()``: last year is complete (every SKP approved, every period rated, the
annual evaluations final since 20 January); this year has the leaders' SKPs approved, their staff's SKPs
in every state (draft, diajukan, dikembalikan with a note, disetujui), realisasi and feedback for the
periods so far, and the past periods rated (the current one is left for the demo user to rate).

Idempotent per pegawai: only pegawai without any SKP in those two years get activity, so a second run
writes nothing (and pegawai added to the demo later get theirs). Must run inside the instansi's
``command_tenant`` and a transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections import defaultdict
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dialog.models import (
    Aktivitas,
    BalasanUmpanBalik,
    BuktiDukung,
    JenisBukti,
    JenisNotifikasi,
    Notifikasi,
    PeranPemberi,
    Realisasi,
    SifatUmpanBalik,
    StatusEmail,
    UmpanBalik,
    UmpanBalikDibaca,
)
from evaluasi import batch, scoring
from evaluasi.models import Evaluasi, JenisEvaluasi, StatusEvaluasi
from evaluasi.services import evaluasi_periodik_ensure, evaluasi_tahunan_ensure
from kinerja.models import Instansi, Pegawai, Periode
from kinerja.models.org import JPT, JenisJabatan
from kinerja.selectors.people import identitas_pegawai
from kinerja.services.tenancy import periode_ensure_year
from skp.models import (
    Aspek,
    CascadingTipe,
    Indikator,
    JenisRhk,
    PerilakuKerja,
    Rhk,
    Skp,
    SkpStatus,
    SkpStatusChange,
)
from skp.services import core_values_current
from skp.snapshots import instansi_snapshot, perilaku_snapshot

S = SkpStatus
R = scoring.Rating
# Position in a team (pegawai with the same atasan, in definition order) → this year's SKP status, so every
# team of four or more shows every state and most SKPs are approved.
POLA_STATUS = [S.DISETUJUI, S.DIAJUKAN, S.DISETUJUI, S.DIKEMBALIKAN, S.DISETUJUI, S.DRAFT, S.DISETUJUI,
               S.DISETUJUI, S.DIAJUKAN, S.DISETUJUI, S.DISETUJUI, S.DISETUJUI]  # fmt: skip
CATATAN_KEMBALI = [
    "Target kuantitas belum realistis untuk satu tahun; sesuaikan dengan beban kerja seksi. "
    "Kaitkan juga hasil kerja kedua dengan rencana hasil kerja saya yang kedua.",
    "Indikator kualitas belum terukur. Gunakan persentase, misalnya 90-95 % tanpa revisi.",
]
UMPAN_BALIK = {
    SifatUmpanBalik.APRESIASI: [
        "Laporan triwulan ini rapi dan tepat waktu. Pertahankan!",
        "Terima kasih, koordinasi dengan unit lain berjalan baik dan cepat.",
        "Hasil kerja sesuai target; dokumentasi bukti dukungnya lengkap.",
    ],
    SifatUmpanBalik.PERBAIKAN: [
        "Beberapa data masih terlambat diunggah; mohon perhatikan tenggat mingguan.",
        "Kualitas analisis perlu diperdalam: sertakan perbandingan dengan triwulan lalu.",
    ],
}
BALASAN = [
    "Baik, Pak/Bu. Terima kasih atas masukannya, akan saya tindak lanjuti minggu ini.",
    "Siap, sudah saya perbaiki dan unggah ulang datanya.",
]
REKAN = "Terima kasih sudah membantu menyiapkan bahan rapat koordinasi kemarin, sangat membantu tim."
BALAS = dt.timedelta(hours=20)  # a reply comes the next morning
JUSTIFIKASI_TANPA_UB = "Penilaian berdasarkan realisasi dan bukti dukung yang diunggah."


def _rhk_teks(p: Pegawai, n: int) -> list[tuple[str, str]]:
    """(rencana hasil kerja, perspektif) for the pegawai's ``n`` main results."""
    unit = p.unit_kerja.nama
    jenis = p.jabatan.jenis
    if jenis in JPT:
        pilihan = [
            (f"Meningkatnya kualitas pelayanan publik {unit}", "Penerima Layanan"),
            (f"Meningkatnya akuntabilitas kinerja {unit}", "Proses Bisnis"),
            (f"Meningkatnya kompetensi sumber daya manusia {unit}", "Penguatan Internal"),
        ]
    elif jenis == JenisJabatan.ADMINISTRATOR:
        pilihan = [
            (f"Terlaksananya program {unit} sesuai rencana kerja", ""),
            (f"Meningkatnya kualitas layanan {unit}", ""),
        ]
    elif jenis == JenisJabatan.PENGAWAS:
        pilihan = [
            (f"Tersusunnya laporan kegiatan {unit} tepat waktu", ""),
            (f"Terlaksananya kegiatan {unit} sesuai standar", ""),
        ]
    else:
        jab = p.jabatan.nama.lower()
        pilihan = [
            (f"Tersusunnya dokumen hasil kerja {jab} sesuai ketentuan", ""),
            (f"Terselesaikannya layanan {jab} tepat waktu", ""),
        ]
    return pilihan[:n]


def _indikator(i: int) -> list[tuple[str, str, str]]:
    if i % 2 == 0:
        return [
            (Aspek.KUANTITAS, "Jumlah dokumen/laporan yang diselesaikan", "12 laporan"),
            (Aspek.KUALITAS, "Persentase hasil kerja yang diterima tanpa revisi", "90-95 %"),
        ]
    return [
        (Aspek.KUANTITAS, "Jumlah layanan yang diselesaikan", "48 layanan"),
        (Aspek.WAKTU, "Ketepatan waktu penyelesaian layanan", "12 bulan"),
    ]


def _realisasi_teks(aspek: str, nomor: int, seed: int) -> str:
    if aspek == Aspek.KUANTITAS:
        return f"{3 + seed % 2} laporan/layanan diselesaikan pada periode ke-{nomor}"
    if aspek == Aspek.KUALITAS:
        return f"{90 + seed % 6} % diterima tanpa revisi"
    return "Seluruhnya selesai tepat waktu" if seed % 4 else "Satu layanan terlambat dua hari"


def _rating(seed: int, *, perilaku: bool) -> str:
    """Deterministic, mostly 'sesuai': ~15 % above, ~8 % (results) / ~4 % (behaviour) below."""
    x = (seed * 2654435761) % 100
    if x < 15:
        return R.DI_ATAS_EKSPEKTASI
    if x >= (96 if perilaku else 92):
        return R.DI_BAWAH_EKSPEKTASI
    return R.SESUAI_EKSPEKTASI


def _waktu(d: dt.date, jam: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time(jam, 0)))


def _backdate(model: Any, pairs: list[tuple[int, dt.datetime]], *, updated: bool = True) -> None:
    """Set ``created_at`` (and ``updated_at``) of many rows in one statement (bulk_create stamps now)."""
    if not pairs:
        return
    table = model._meta.db_table
    extra = ", updated_at = v.t" if updated else ""
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} AS x SET created_at = v.t{extra} "  # noqa: S608 - table names from models
            "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::timestamptz[]) AS t) v WHERE x.id = v.id",
            [[p for p, _ in pairs], [t for _, t in pairs]],
        )


def _png_bytes() -> bytes:
    """A small valid PNG (a bar chart-ish image), generated without external tools."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 140), "white")
    draw = ImageDraw.Draw(img)
    for i, h in enumerate([40, 70, 55, 95, 110]):
        draw.rectangle([20 + i * 42, 130 - h, 50 + i * 42, 130], fill=(13, 110, 253))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _pdf_bytes(judul: str) -> bytes:
    """A one-page PDF with one line of text (hand-built: no renderer at seed time)."""
    teks = judul.replace("\\", "").replace("(", "").replace(")", "")
    stream = zlib.compress(f"BT /F1 14 Tf 50 780 Td ({teks}) Tj ET".encode("latin-1", "replace"))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def demo_aktivitas_seed(
    *, instansi: Instansi, pegawai_ids: list[int], sorotan_ids: set[int], today: dt.date | None = None
) -> dict[str, int]:
    """Seed the activity of the pegawai in ``pegawai_ids`` (definition order: superiors first) that have
    no SKP last year or this year. ``sorotan_ids`` (the demo accounts' team) also get evidence files and
    replied feedback threads. Returns counts of what was written (all zero on a re-run)."""
    today = today or timezone.localdate()
    tahun, lalu = today.year, today.year - 1
    hitung: dict[str, int] = defaultdict(int)
    sudah = set(
        Skp.objects.filter(instansi=instansi, tahun__in=[lalu, tahun]).values_list("pegawai_id", flat=True)
    )
    semua = {
        p.pk: p
        for p in Pegawai.objects.filter(instansi=instansi).select_related("jabatan", "unit_kerja", "user")
    }
    baru = [semua[pk] for pk in pegawai_ids if pk in semua and pk not in sudah and semua[pk].aktif]
    if not baru:
        return dict(hitung)

    periode = {y: periode_ensure_year(instansi=instansi, tahun=y) for y in (lalu, tahun)}
    core_values = core_values_current()
    punya_bawahan = {p.atasan_id for p in semua.values() if p.atasan_id}
    posisi: dict[int, int] = {}
    per_atasan: dict[int | None, int] = defaultdict(int)
    for p in [semua[pk] for pk in pegawai_ids if pk in semua]:
        posisi[p.pk] = per_atasan[p.atasan_id]
        per_atasan[p.atasan_id] += 1
    kedalaman: dict[int, int] = {}
    for p in baru:
        d, cur = 0, p
        while cur.atasan_id and cur.atasan_id in semua and d < 20:
            d, cur = d + 1, semua[cur.atasan_id]
        kedalaman[p.pk] = d

    dikembalikan_skp: list[Skp] = []
    diajukan_skp: list[Skp] = []
    for y in (lalu, tahun):
        skp_by_pegawai = _seed_year(
            instansi=instansi, tahun=y, today=today, baru=baru, semua=semua, posisi=posisi,
            punya_bawahan=punya_bawahan, kedalaman=kedalaman, core_values=core_values, periode=periode[y],
            sorotan_ids=sorotan_ids, hitung=hitung,
        )  # fmt: skip
        if y == tahun:
            dikembalikan_skp = [s for s in skp_by_pegawai.values() if s.status == S.DIKEMBALIKAN]
            diajukan_skp = [s for s in skp_by_pegawai.values() if s.status == S.DIAJUKAN]

    # Notifications of the SKPs still in motion, worded as the workflow's (dialog.services.notifikasi.skp_status_notify),
    # written in one insert: the demo pegawai have no e-mail address, so nothing is queued.
    notif: list[tuple[Notifikasi, dt.datetime]] = []
    for s in diajukan_skp:
        p = semua[s.pegawai_id]
        if s.pejabat_penilai_id in semua and s.diajukan_at:
            notif.append((Notifikasi(
                instansi_id=instansi.pk, penerima_id=semua[s.pejabat_penilai_id].user_id, aktor_id=p.user_id,
                jenis=JenisNotifikasi.SKP_DIAJUKAN, judul=f"SKP {s.tahun} {p.nama} menunggu persetujuan Anda",
                tautan=reverse("skp:detail", args=[s.pk]), email_status=StatusEmail.TIDAK_PERLU,
            ), s.diajukan_at))  # fmt: skip
    for s in dikembalikan_skp:
        atasan = semua.get(s.pejabat_penilai_id or 0)
        kembali_at = (s.diajukan_at or _waktu(today)) + dt.timedelta(days=1)
        notif.append((Notifikasi(
            instansi_id=instansi.pk, penerima_id=semua[s.pegawai_id].user_id, aktor_id=atasan.user_id if atasan else None,
            jenis=JenisNotifikasi.SKP_DIKEMBALIKAN, judul=f"SKP {s.tahun} Anda dikembalikan untuk diperbaiki",
            pesan=s.catatan_pengembalian, tautan=reverse("skp:detail", args=[s.pk]),
            email_status=StatusEmail.TIDAK_PERLU,
        ), kembali_at))  # fmt: skip
    Notifikasi.objects.bulk_create([n for n, _ in notif])
    _backdate(Notifikasi, [(n.pk, t) for n, t in notif])
    hitung["notifikasi"] += len(notif)

    _evaluasi(instansi=instansi, today=today, baru=baru, semua=semua, periode=periode, hitung=hitung)
    _bukti_berkas(
        instansi=instansi, tahun=tahun, today=today, baru=baru, sorotan_ids=sorotan_ids, hitung=hitung
    )
    return dict(hitung)


def _seed_year(
    *,
    instansi: Instansi,
    tahun: int,
    today: dt.date,
    baru: list[Pegawai],
    semua: dict[int, Pegawai],
    posisi: dict[int, int],
    punya_bawahan: set[int],
    kedalaman: dict[int, int],
    core_values: list[Any],
    periode: list[Periode],
    sorotan_ids: set[int],
    hitung: dict[str, int],
) -> dict[int, Skp]:
    iid = instansi.pk
    sekarang = tahun == today.year
    awal = dt.date(tahun, 1, 1)

    # 1. SKPs with their status, dates and (approved) snapshots, as skp_approve freezes them.
    instansi_beku = instansi_snapshot(instansi)
    perilaku_beku = perilaku_snapshot(core_values)
    skps: dict[int, Skp] = {}
    dibuat_pada: dict[int, dt.datetime] = {}
    for i, p in enumerate(baru):
        if not sekarang or p.pk in punya_bawahan or p.atasan_id is None:
            status = S.DISETUJUI
        else:
            status = POLA_STATUS[posisi[p.pk] % len(POLA_STATUS)]
        atasan = semua.get(p.atasan_id) if p.atasan_id else None
        dibuat = awal + dt.timedelta(days=3 + i % 7)
        diajukan = dibuat + dt.timedelta(days=4)
        setuju = diajukan + dt.timedelta(days=3)
        if sekarang and status in (S.DIAJUKAN, S.DIKEMBALIKAN, S.DRAFT):
            dibuat = today - dt.timedelta(days=12 + i % 5)
            diajukan = today - dt.timedelta(days=2 + i % 4)
        skps[p.pk] = Skp(
            instansi_id=iid, pegawai=p, pejabat_penilai_id=p.atasan_id, tahun=tahun, periode_mulai=awal,
            periode_selesai=dt.date(tahun, 12, 31), status=status, tugas_belajar=p.tugas_belajar,
            versi=3 if status != S.DRAFT else 2,
            diajukan_at=_waktu(diajukan) if status != S.DRAFT else None,
            disetujui_at=_waktu(setuju, 14) if status == S.DISETUJUI else None,
            disetujui_oleh_id=atasan.user_id if atasan and status == S.DISETUJUI else None,
            snapshot_pegawai=identitas_pegawai(p) if status == S.DISETUJUI else None,
            snapshot_penilai=identitas_pegawai(atasan) if status == S.DISETUJUI else None,
            snapshot_instansi=instansi_beku if status == S.DISETUJUI else None,
            snapshot_perilaku=perilaku_beku if status == S.DISETUJUI else None,
            catatan_pengembalian=CATATAN_KEMBALI[i % 2] if status == S.DIKEMBALIKAN else "",
        )  # fmt: skip
        dibuat_pada[p.pk] = _waktu(dibuat)
    Skp.objects.bulk_create(skps.values())
    hitung[f"skp_{tahun}"] += len(skps)
    _backdate(Skp, [(s.pk, dibuat_pada[pk]) for pk, s in skps.items()], updated=False)

    PerilakuKerja.objects.bulk_create(
        PerilakuKerja(
            instansi_id=iid, skp=s, core_value=cv.kode, urutan=cv.urutan,
            ekspektasi_khusus="Aktif berbagi pengetahuan dengan rekan satu tim." if cv.urutan == 3 else "",
        )
        for s in skps.values() for cv in core_values
    )  # fmt: skip

    # 2. History rows (draft → diajukan → disetujui/dikembalikan), backdated.
    riwayat: list[tuple[SkpStatusChange, dt.datetime]] = []
    for s in skps.values():
        p = semua[s.pegawai_id]
        atasan = semua.get(p.atasan_id) if p.atasan_id else None
        if s.diajukan_at is None:
            continue
        riwayat.append((SkpStatusChange(instansi_id=iid, skp=s, actor_id=p.user_id, dari=S.DRAFT, ke=S.DIAJUKAN),
                        s.diajukan_at))  # fmt: skip
        if s.status in (S.DISETUJUI, S.DIKEMBALIKAN):
            when = s.disetujui_at or s.diajukan_at + dt.timedelta(days=1)
            riwayat.append((
                SkpStatusChange(instansi_id=iid, skp=s, actor_id=atasan.user_id if atasan else None, dari=S.DIAJUKAN,
                                ke=s.status, catatan=s.catatan_pengembalian),
                when,
            ))  # fmt: skip
    SkpStatusChange.objects.bulk_create([r for r, _ in riwayat])
    _backdate(SkpStatusChange, [(r.pk, t) for r, t in riwayat])

    # 3. Results, level by level so a result can point at its leader's (cascading).
    rhk_pimpinan: dict[int, list[Rhk]] = defaultdict(list)  # leader pegawai id -> main results
    lama = Rhk.objects.filter(
        instansi_id=iid, skp__tahun=tahun, jenis=JenisRhk.UTAMA,
        skp__pegawai_id__in={p.atasan_id for p in baru if p.atasan_id} - {p.pk for p in baru},
    ).exclude(skp__status=S.DIGANTI).select_related("skp")  # fmt: skip
    for r in lama:
        rhk_pimpinan[r.skp.pegawai_id].append(r)
    rhk_skp: dict[int, list[Rhk]] = defaultdict(list)
    for level in sorted(set(kedalaman.values())):
        rows: list[Rhk] = []
        for i, p in enumerate(baru):
            if kedalaman[p.pk] != level:
                continue
            s = skps[p.pk]
            jpt = p.jabatan.jenis in JPT
            n = 1 if s.status == S.DRAFT else (3 if jpt else 2)
            induk = rhk_pimpinan.get(p.atasan_id or 0, [])
            for j, (teks, perspektif) in enumerate(_rhk_teks(p, n)):
                link = induk[j % len(induk)] if induk and not jpt and not p.tugas_belajar else None
                beku = (link.rencana_hasil_kerja if link else "") if s.status == S.DISETUJUI else None
                rows.append(Rhk(
                    instansi_id=iid, skp=s, jenis=JenisRhk.UTAMA, rencana_hasil_kerja=teks, rhk_pimpinan=link,
                    rhk_pimpinan_teks=beku,
                    cascading_tipe=CascadingTipe.DIRECT if link else "", perspektif=perspektif, urutan=j + 1,
                ))  # fmt: skip
            if i % 4 == 0 and s.status != S.DRAFT:
                rows.append(Rhk(instansi_id=iid, skp=s, jenis=JenisRhk.TAMBAHAN, urutan=1,
                                rhk_pimpinan_teks="" if s.status == S.DISETUJUI else None,
                                rencana_hasil_kerja="Menjadi narasumber kegiatan berbagi pengetahuan internal"))  # fmt: skip
        Rhk.objects.bulk_create(rows)
        for r in rows:
            rhk_skp[r.skp.pk].append(r)
            if r.jenis == JenisRhk.UTAMA:
                rhk_pimpinan[r.skp.pegawai_id].append(r)
    hitung[f"rhk_{tahun}"] += sum(len(v) for v in rhk_skp.values())

    indikator: list[Indikator] = []
    for rs in rhk_skp.values():
        for j, r in enumerate(rs):
            for k, (aspek, iki, target) in enumerate(_indikator(j + r.skp.pegawai_id)):
                indikator.append(
                    Indikator(instansi_id=iid, rhk=r, aspek=aspek, iki=iki, target=target, urutan=k)
                )
    Indikator.objects.bulk_create(indikator)

    # 4. Realisasi of the approved SKPs: every period so far; the current one for every other pegawai.
    setuju_ids = {s.pk for s in skps.values() if s.status == S.DISETUJUI}
    lewat = [pr for pr in periode if pr.selesai < today]
    berjalan = [pr for pr in periode if pr.mulai <= today <= pr.selesai]
    realisasi: list[tuple[Realisasi, dt.datetime]] = []
    for ind in indikator:
        s = ind.rhk.skp
        if s.pk not in setuju_ids:
            continue
        seed = ind.rhk.skp.pegawai_id
        if not sekarang and ind.urutan > 0:
            continue  # last year: the first indicator of each result is enough to show (and keeps it fast)
        realisasi.extend(
            (
                Realisasi(instansi_id=iid, skp=s, rhk=ind.rhk, indikator=ind, periode=pr,
                          realisasi=_realisasi_teks(ind.aspek, pr.nomor, seed + pr.nomor),
                          diisi_oleh_id=semua[s.pegawai_id].user_id),
                _waktu(min(pr.selesai, today) - dt.timedelta(days=2 + seed % 5), 10),
            )
            for pr in lewat + [b for b in berjalan if seed % 2 == 0 and ind.urutan == 0]
        )  # fmt: skip
    Realisasi.objects.bulk_create([r for r, _ in realisasi])
    _backdate(Realisasi, [(r.pk, t) for r, t in realisasi])
    hitung[f"realisasi_{tahun}"] += len(realisasi)

    # Links as evidence on the first realisasi of each SKP and period (files: see _bukti_berkas).
    bukti: list[tuple[BuktiDukung, dt.datetime]] = []
    seen: set[tuple[int, int]] = set()
    for rl, t in realisasi:
        key = (rl.skp.pk, rl.periode.pk)
        if key in seen or (not sekarang and rl.periode.nomor != len(periode)):
            continue
        seen.add(key)
        p = semua[rl.skp.pegawai_id]
        bukti.append((
            BuktiDukung(instansi_id=iid, realisasi=rl, jenis=JenisBukti.TAUTAN, diunggah_oleh_id=p.user_id,
                        tautan=f"https://arsip.sukamaju.example/{tahun}/periode-{rl.periode.nomor}/{p.nip}",
                        judul=f"Folder laporan periode {rl.periode.nomor}"),
            t,
        ))  # fmt: skip
    BuktiDukung.objects.bulk_create([b for b, _ in bukti])
    _backdate(BuktiDukung, [(b.pk, t) for b, t in bukti])
    hitung[f"bukti_tautan_{tahun}"] += len(bukti)

    # 5. Feedback from the Pejabat Penilai each period (+ a reply on some, a colleague's note for the
    #    demo team), read except in the current period; each on the pegawai's timeline.
    ub_rows: list[tuple[UmpanBalik, dt.datetime]] = []
    by_team: dict[int, list[int]] = defaultdict(list)
    for p in baru:
        if p.atasan_id:
            by_team[p.atasan_id].append(p.pk)
    for s in skps.values():
        p = semua[s.pegawai_id]
        if s.pk not in setuju_ids or p.atasan_id is None or not rhk_skp.get(s.pk):
            continue
        for pr in lewat + berjalan:
            seed = p.pk + pr.nomor
            sifat = SifatUmpanBalik.PERBAIKAN if seed % 3 == 0 else SifatUmpanBalik.APRESIASI
            teks = UMPAN_BALIK[sifat][seed % len(UMPAN_BALIK[sifat])]
            when = _waktu(min(pr.selesai, today) - dt.timedelta(days=6 + seed % 4), 11)
            dibalas = sekarang and (p.pk in sorotan_ids or seed % 3 == 0) and (when + BALAS).date() <= today
            ub_rows.append((UmpanBalik(
                instansi_id=iid, skp=s, penerima=p, pemberi_id=p.atasan_id,
                peran_pemberi=PeranPemberi.PEJABAT_PENILAI, periode=pr, rhk=rhk_skp[s.pk][0], sifat=sifat, isi=teks,
                aktivitas_terakhir_at=when + BALAS if dibalas else when,
            ), when))  # fmt: skip
            rekan = [x for x in by_team[p.atasan_id] if x != p.pk]
            if p.pk in sorotan_ids and pr in berjalan and rekan:
                when2 = _waktu(today - dt.timedelta(days=1), 15)
                ub_rows.append((UmpanBalik(
                    instansi_id=iid, skp=s, penerima=p, pemberi_id=rekan[0], peran_pemberi=PeranPemberi.REKAN_KERJA,
                    periode=pr, isi=REKAN, core_value="kolaboratif", aktivitas_terakhir_at=when2,
                ), when2))  # fmt: skip
    UmpanBalik.objects.bulk_create([u for u, _ in ub_rows])
    _backdate(UmpanBalik, [(u.pk, t) for u, t in ub_rows])
    hitung[f"umpan_balik_{tahun}"] += len(ub_rows)

    balasan: list[tuple[BalasanUmpanBalik, dt.datetime]] = []
    dibaca: list[UmpanBalikDibaca] = []
    aktivitas: list[tuple[Aktivitas, dt.datetime]] = []
    berjalan_ids = {b.pk for b in berjalan}
    for u, t in ub_rows:
        p = semua[u.penerima_id]
        pemberi = semua[cast(int, u.pemberi_id)]  # the rows above always name a pegawai giver
        if sekarang:  # the timeline shows this year
            aktivitas.append((Aktivitas(
                instansi_id=iid, pegawai=p, aktor_id=pemberi.user_id, jenis="umpan_balik.diberikan",
                ringkasan=f"{pemberi.nama} ({PeranPemberi(u.peran_pemberi).label}): {u.isi[:300]}",
                objek_tipe="umpanbalik", objek_id=u.pk, skp_id=u.skp.pk,
            ), t))  # fmt: skip
        if u.aktivitas_terakhir_at != t:
            t2, isi = u.aktivitas_terakhir_at, BALASAN[u.pk % 2]
            balasan.append((BalasanUmpanBalik(instansi_id=iid, umpan_balik=u, penulis=p, isi=isi), t2))
            aktivitas.append((Aktivitas(
                instansi_id=iid, pegawai=p, aktor_id=p.user_id, jenis="umpan_balik.dibalas",
                ringkasan=f"{p.nama}: {isi}", objek_tipe="umpanbalik", objek_id=u.pk, skp_id=u.skp.pk,
            ), t2))  # fmt: skip
        if u.periode.pk not in berjalan_ids:
            dibaca.extend(
                UmpanBalikDibaca(instansi_id=iid, umpan_balik=u, user_id=user_id,
                                 dibaca_at=u.aktivitas_terakhir_at + dt.timedelta(hours=1))
                for user_id in (p.user_id, pemberi.user_id)
            )  # fmt: skip
    BalasanUmpanBalik.objects.bulk_create([b for b, _ in balasan])
    _backdate(BalasanUmpanBalik, [(b.pk, t) for b, t in balasan])
    UmpanBalikDibaca.objects.bulk_create(dibaca)
    for rl, t in realisasi:
        if sekarang and rl.indikator.urutan == 0 and rl.rhk.urutan == 1 and rl.rhk.jenis == JenisRhk.UTAMA:
            p = semua[rl.skp.pegawai_id]
            aktivitas.append((Aktivitas(
                instansi_id=iid, pegawai=p, aktor_id=p.user_id, jenis="realisasi.diisi",
                ringkasan=f"{rl.indikator.iki[:120]}: {rl.realisasi[:200]}", objek_tipe="realisasi", objek_id=rl.pk,
                skp_id=rl.skp.pk,
            ), t))  # fmt: skip
    Aktivitas.objects.bulk_create([a for a, _ in aktivitas])
    _backdate(Aktivitas, [(a.pk, t) for a, t in aktivitas])
    hitung[f"balasan_{tahun}"] += len(balasan)
    return skps


def _evaluasi(
    *,
    instansi: Instansi,
    today: dt.date,
    baru: list[Pegawai],
    semua: dict[int, Pegawai],
    periode: dict[int, list[Periode]],
    hitung: dict[str, int],
) -> None:
    """Evaluation rows through the services; ratings for every period that has ended (last year's annual
    too, rated early January); then last year's year-end batch chunks finalise it (20 January)."""
    tahun, lalu = today.year, today.year - 1
    ids = [p.pk for p in baru]
    for y in (lalu, tahun):
        evaluasi_periodik_ensure(instansi=instansi, tahun=y, pegawai_ids=ids)
        evaluasi_tahunan_ensure(instansi=instansi, tahun=y, pegawai_ids=ids)
    selesai = {pr.pk: pr.selesai for y in (lalu, tahun) for pr in periode[y]}
    rows = list(
        Evaluasi.objects.filter(instansi=instansi, pegawai_id__in=ids, status=StatusEvaluasi.BELUM_DINILAI)
        .filter(tahun__in=[lalu, tahun])
        .values_list("pk", "pegawai_id", "jenis", "tahun", "periode_id")
    )
    ub: dict[tuple[int, int], int] = defaultdict(int)
    for penerima_id, periode_id in UmpanBalik.objects.filter(
        instansi=instansi, penerima_id__in=ids
    ).values_list("penerima_id", "periode_id"):
        ub[(penerima_id, periode_id)] += 1
    upd: list[tuple[Any, ...]] = []
    for pk, pegawai_id, jenis, y, periode_id in rows:
        if jenis == JenisEvaluasi.TAHUNAN:
            if y != lalu:
                continue
            when, jumlah = (
                _waktu(dt.date(tahun, 1, 8), 10),
                sum(ub[(pegawai_id, pr.pk)] for pr in periode[lalu]),
            )
        else:
            if selesai[periode_id] >= today:
                continue
            when, jumlah = (
                _waktu(selesai[periode_id] + dt.timedelta(days=5), 10),
                ub[(pegawai_id, periode_id)],
            )
        h = _rating(pegawai_id * 31 + (periode_id or 0), perilaku=False)
        k = _rating(pegawai_id * 17 + (periode_id or 7), perilaku=True)
        p = semua[pegawai_id]
        atasan = semua.get(p.atasan_id) if p.atasan_id else None
        upd.append((pk, h, k, scoring.predikat(h, k), "" if jumlah else JUSTIFIKASI_TANPA_UB, jumlah,
                    atasan.user_id if atasan else None, when))  # fmt: skip
    if upd:
        cols = list(zip(*upd, strict=True))
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE evaluasi_evaluasi e
                SET rating_hasil_kerja = v.h, rating_perilaku_kerja = v.k, predikat = v.pr, justifikasi = v.j,
                    jumlah_umpan_balik = v.n, dinilai_oleh_id = v.oleh, dinilai_at = v.t, status = %s, updated_at = v.t,
                    diterima_at = CASE WHEN e.jenis = 'periodik' THEN v.t ELSE e.diterima_at END
                FROM (SELECT unnest(%s::bigint[]) id, unnest(%s::text[]) h, unnest(%s::text[]) k,
                             unnest(%s::text[]) pr, unnest(%s::text[]) j, unnest(%s::int[]) n,
                             unnest(%s::bigint[]) oleh, unnest(%s::timestamptz[]) t) v
                WHERE e.id = v.id AND e.instansi_id = %s
                """,
                [StatusEvaluasi.DINILAI, *[list(c) for c in cols], instansi.pk],
            )
    hitung["evaluasi_dinilai"] += len(upd)

    # Last year's December batch (its chunk steps: rows, predikat, final, follow-ups, notifications),
    # without the document hand-off: the signed annual PDFs are rendered on demand when opened.
    ronde = batch.ronde_aktif(instansi_id=instansi.pk, tahun=lalu)
    plan = batch.chunk_plan(instansi_id=instansi.pk)
    for i, (dari, sampai) in enumerate(plan):
        batch.chunk_nilai(
            instansi_id=instansi.pk, tahun=lalu, dari=dari, sampai=sampai, ronde=ronde, urutan=i
        )
    final_at = _waktu(dt.date(tahun, 1, 20), 8)
    for i, (dari, sampai) in enumerate(plan):
        batch.chunk_final(
            instansi_id=instansi.pk,
            tahun=lalu,
            dari=dari,
            sampai=sampai,
            final_at=final_at,
            ronde=ronde,
            urutan=i,
        )
    batch.ronde_tutup(instansi_id=instansi.pk, tahun=lalu, ronde=ronde, job_id=None)
    # The batch told everyone "today"; in the story that was 20 January, read long ago.
    Notifikasi.objects.filter(
        instansi=instansi, kunci=f"evaluasi-tahunan-final-{lalu}", dibaca_at__isnull=True
    ).update(created_at=final_at, updated_at=final_at, dibaca_at=final_at + dt.timedelta(days=1))
    hitung["evaluasi_final"] = Evaluasi.objects.filter(
        instansi=instansi, tahun=lalu, jenis=JenisEvaluasi.TAHUNAN, status=StatusEvaluasi.FINAL
    ).count()


def _bukti_berkas(
    *, instansi: Instansi, tahun: int, today: dt.date, baru: list[Pegawai], sorotan_ids: set[int],
    hitung: dict[str, int],
) -> None:  # fmt: skip
    """Real evidence files (a PNG chart and a PDF report) for the demo team's last ended period, through
    ``dialog.services.dokumentasi.bukti_add`` like an upload (content sniffed, stored under the instansi's folder)."""
    from dialog.services.dokumentasi import bukti_add

    ids = [p.pk for p in baru if p.pk in sorotan_ids]
    akhir = (
        Periode.objects.filter(instansi=instansi, tahun=tahun, selesai__lt=today).order_by("-nomor").first()
    )
    if not ids or akhir is None:
        return
    pertama = (
        Realisasi.objects.filter(
            instansi=instansi, skp__pegawai_id__in=ids, skp__tahun=tahun, periode=akhir, indikator__urutan=0
        )
        .select_related("skp__pegawai__user", "rhk")
        .order_by("skp__pegawai_id", "rhk__jenis", "rhk__urutan")
    )
    seen: set[int] = set()
    png = _png_bytes()
    for r in pertama:
        if r.skp_id in seen:
            continue
        seen.add(r.skp_id)
        if len(seen) % 2:
            berkas = SimpleUploadedFile("grafik-capaian.png", png, content_type="image/png")
            judul = f"Grafik capaian periode {akhir.nomor}"
        else:
            judul = f"Laporan periode {akhir.nomor} {r.skp.pegawai.nama}"
            berkas = SimpleUploadedFile("laporan.pdf", _pdf_bytes(judul), content_type="application/pdf")
        bukti_add(actor=r.skp.pegawai.user, realisasi=r, berkas=berkas, judul=judul)
        hitung["bukti_berkas"] += 1
