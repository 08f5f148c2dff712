#!/usr/bin/env python
"""Benchmark the documents feature (not a timed test).

1. Render + sign one SKP PDF through the real task function (``skp_document_render_task``): mean,
   p50, p95 and max over ``--sample`` approved SKPs, split into WeasyPrint render and PAdES signing.
2. The bulk ZIP job (``skp_bulk_zip_task``) over ``--skp`` approved SKPs whose signed PDFs exist
   (the normal case: each PDF is produced at approval), and the cost per missing document.
3. Render + sign one annual Dokumen Evaluasi Kinerja (``evaluasi_dokumen_task``, chunks as the
   year-end hand-off queues them) and one Penetapan Predikat of a unit of ~100 pegawai.

Runs on a throwaway database created and migrated for the run (``kinerja.settings.test``, i.e.
``DATABASE_URL`` or 127.0.0.1:5432) and a temporary MEDIA_ROOT; both are removed at the end.

    .venv/bin/python scripts/bench_dokumen.py [--skp 1000] [--sample 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.test"  # throwaway DB + tmp MEDIA_ROOT
os.environ.setdefault("KINERJA_TEST_DB_NAME", f"bench_dokumen_{os.getpid()}")


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"nproc={os.cpu_count()}{mem}, {cpu or platform.processor()}, Python {platform.python_version()}"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def build(n: int) -> tuple[Any, list[int]]:
    """One instansi with 10 bidang; ``n`` approved SKPs (3 results x 2 indicators, 7 behaviours)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja, User
    from kinerja.validators import format_nip
    from skp.models import CoreValue, Indikator, PerilakuKerja, Rhk, Skp

    now = timezone.now()
    pw = make_password("bench-bench-1")
    with scopes_disabled():
        ins = Instansi.objects.create(kode="BENCH", nama="Pemerintah Kabupaten Bench", tempat="Bench")
        top = UnitKerja.objects.create(instansi=ins, nama="Sekretariat Daerah")
        UnitKerja.objects.filter(pk=top.pk).update(path=f"{top.pk}.", depth=0)
        top.path = f"{top.pk}."
        bidang = []
        for i in range(10):
            u = UnitKerja.objects.create(instansi=ins, nama=f"Bidang {i + 1} Pelayanan Umum", induk=top)
            UnitKerja.objects.filter(pk=u.pk).update(path=f"{top.path}{u.pk}.", depth=1)
            bidang.append(u)
        jpt = Jabatan.objects.create(instansi=ins, nama="Sekretaris Daerah", jenis="jpt_pratama")
        adm = Jabatan.objects.create(instansi=ins, nama="Kepala Bidang", jenis="administrator")
        pel = Jabatan.objects.create(instansi=ins, nama="Pengadministrasi Perkantoran", jenis="pelaksana")
        birth = dt.date(1970, 1, 1)

        def nip(i: int) -> str:
            b = birth + dt.timedelta(days=i)
            return f"{b:%Y%m%d}199903{1 + i % 2}{i % 999 + 1:03d}"

        users = User.objects.bulk_create(
            [User(nip=nip(i), nama=f"Pegawai Bench {i} S.E.", password=pw) for i in range(n)], batch_size=2000
        )
        people: list[Pegawai] = []
        for i, user in enumerate(users):
            if i == 0:
                unit, jab = top, jpt
            elif i <= 10:
                unit, jab = bidang[i - 1], adm
            else:
                unit, jab = bidang[i % 10], pel
            people.append(
                Pegawai(
                    instansi=ins,
                    user=user,
                    nip=user.nip,
                    nama=user.nama,
                    status="pns",
                    pangkat_golongan="Penata Muda Tingkat I / III/b",
                    unit_kerja=unit,
                    jabatan=jab,
                )
            )
        people = Pegawai.objects.bulk_create(people, batch_size=2000)
        for i, p in enumerate(people):
            p.atasan = None if i == 0 else (people[0] if i <= 10 else people[1 + i % 10])
        Pegawai.objects.bulk_update(people, ["atasan"], batch_size=2000)
        unit_of = {u.pk: u.nama for u in [top, *bidang]}
        jab_of = {j.pk: j for j in (jpt, adm, pel)}

        def ident(p: Pegawai | None) -> dict[str, str] | None:
            if p is None:
                return None
            j = jab_of[p.jabatan_id]
            return {
                "nama": p.nama,
                "nip": format_nip(p.nip),
                "pangkat_golongan": p.pangkat_golongan,
                "jabatan": j.nama,
                "jenis_jabatan": j.jenis,
                "unit_kerja": unit_of[p.unit_kerja_id],
            }

        skps = Skp.objects.bulk_create(
            [
                Skp(
                    instansi=ins,
                    pegawai=p,
                    pejabat_penilai=p.atasan,
                    tahun=2026,
                    periode_mulai=dt.date(2026, 1, 1),
                    periode_selesai=dt.date(2026, 12, 31),
                    status="disetujui",
                    versi=3,
                    diajukan_at=now,
                    disetujui_at=now,
                    snapshot_pegawai=ident(p),
                    snapshot_penilai=ident(p.atasan),
                    dukungan_sumber_daya=["Anggaran kegiatan", "Perangkat komputer"],
                    skema_pertanggungjawaban=["Laporan bulanan kepada atasan langsung"],
                    konsekuensi=["Penghargaan bila target tercapai", "Pembinaan bila tidak tercapai"],
                )
                for p in people
            ],
            batch_size=2000,
        )
        texts = [
            "Terlaksananya layanan administrasi perkantoran yang tepat waktu dan akurat sesuai standar pelayanan",
            "Tersusunnya laporan kinerja bidang triwulanan yang lengkap dan dapat dipertanggungjawabkan",
            "Terkelolanya arsip dinamis bidang secara tertib sesuai jadwal retensi arsip",
        ]
        rhk = Rhk.objects.bulk_create(
            [
                Rhk(instansi=ins, skp=s, jenis="utama", rencana_hasil_kerja=t, urutan=k)
                for s in skps
                for k, t in enumerate(texts)
            ],
            batch_size=5000,
        )
        first_rhk = {r.skp_id: r for r in rhk if r.urutan == 0}
        skp_of = {s.pegawai_id: s for s in skps}
        by_skp = {s.pk: s for s in skps}
        for r in rhk:
            owner = by_skp[r.skp_id].pegawai
            if owner.atasan_id is not None:
                r.rhk_pimpinan = first_rhk[skp_of[owner.atasan_id].pk]
        Rhk.objects.bulk_update(rhk, ["rhk_pimpinan"], batch_size=5000)
        Indikator.objects.bulk_create(
            [
                Indikator(instansi=ins, rhk=r, aspek=a, iki=iki, target=t, urutan=k)
                for r in rhk
                for k, (a, iki, t) in enumerate(
                    [
                        ("kuantitas", "Jumlah dokumen layanan yang diselesaikan", "120 dokumen"),
                        ("waktu", "Persentase layanan selesai tepat waktu", "90 - 95 %"),
                    ]
                )
            ],
            batch_size=10000,
        )
        cvs = list(CoreValue.objects.filter(aktif=True).order_by("urutan"))
        PerilakuKerja.objects.bulk_create(
            [
                PerilakuKerja(
                    instansi=ins,
                    skp=s,
                    core_value=cv.kode,
                    urutan=cv.urutan,
                    ekspektasi_khusus="Menjadi teladan dalam ketepatan waktu" if cv.urutan == 2 else "",
                )
                for s in skps
                for cv in cvs
            ],
            batch_size=10000,
        )
    return ins, [s.pk for s in skps]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skp", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"# database {test_db}, media {settings.MEDIA_ROOT}", file=sys.stderr)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        import shutil

        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django_scopes import scope

    import kinerja.services.dokumen as svc
    from kinerja import signing
    from kinerja.models import Dokumen, Job
    from kinerja.services.jobs import job_create
    from skp.tasks import skp_bulk_zip_task, skp_document_render_task

    load_start = os.getloadavg()
    t0 = time.perf_counter()
    ins, skp_ids = build(args.skp)
    print(f"# set-up: {len(skp_ids)} approved SKPs in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    # split the time between WeasyPrint and signing by wrapping both
    parts: dict[str, list[float]] = {"render": [], "sign": []}
    real_pdf = svc.html_to_pdf
    signer = signing.get_signer()
    real_sign = signer.sign

    def timed_pdf(html: str) -> bytes:
        t = time.perf_counter()
        try:
            return real_pdf(html)
        finally:
            parts["render"].append(time.perf_counter() - t)

    def timed_sign(pdf: bytes, **kw: Any) -> bytes:
        t = time.perf_counter()
        try:
            return real_sign(pdf, **kw)
        finally:
            parts["sign"].append(time.perf_counter() - t)

    svc.html_to_pdf = timed_pdf
    signer.sign = timed_sign  # type: ignore[method-assign,assignment]

    t = time.perf_counter()
    skp_document_render_task(ins.pk, skp_ids[-1])  # warm-up: demo CA generation, font loading
    warm = time.perf_counter() - t
    parts = {"render": [], "sign": []}
    totals = []
    sample = skp_ids[: args.sample]
    for sid in sample:
        t = time.perf_counter()
        skp_document_render_task(ins.pk, sid)
        totals.append(time.perf_counter() - t)
    sample_parts = {k: list(v) for k, v in parts.items()}
    t = time.perf_counter()
    for sid in sample:  # idempotent re-run: no render, no sign
        skp_document_render_task(ins.pk, sid)
    rerun = (time.perf_counter() - t) / len(sample)

    with scope(instansi=ins.pk):
        size = sum(Dokumen.objects.filter(sumber_id__in=sample).values_list("ukuran", flat=True)) / len(
            sample
        )

    # the rest of the documents, as the approvals would have produced them
    import resource

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rest = [s for s in skp_ids if s not in set(sample)]
    rest_times = []
    for sid in rest:
        t = time.perf_counter()
        skp_document_render_task(ins.pk, sid)
        rest_times.append(time.perf_counter() - t)
    rest_s = sum(rest_times)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with scope(instansi=ins.pk):
        job = job_create(actor=None, instansi=ins, jenis="skp_zip", params={"tahun": 2026})
    t = time.perf_counter()
    skp_bulk_zip_task(ins.pk, job.pk)
    zip_s = time.perf_counter() - t
    with scope(instansi=ins.pk):
        job = Job.objects.get(pk=job.pk)
        zip_mb = job.hasil.size / 1024 / 1024
        zipped = job.detail.get("jumlah")

    def line(name: str, xs: list[float]) -> str:
        return (
            f"| {name} | {statistics.mean(xs) * 1000:.0f} | {pct(xs, 50) * 1000:.0f} | "
            f"{pct(xs, 95) * 1000:.0f} | {max(xs) * 1000:.0f} |"
        )

    load_end = os.getloadavg()
    print(f"Machine: {machine()}")
    print(
        f"Load average (1/5/15 min) at start {'/'.join(f'{x:.1f}' for x in load_start)}, "
        f"at end {'/'.join(f'{x:.1f}' for x in load_end)} (the machine is shared; figures are noisy)"
    )
    print(f"Date: {dt.date.today().isoformat()}\n")  # noqa: DTZ011
    print(
        f"Render + sign one SKP PDF (task function, {len(sample)} SKPs, 3 results x 2 indicators, 7 behaviours, 3 pages):\n"
    )
    print("| step | mean ms | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(line("whole task (query, context, render, sign, store)", totals))
    print(line("WeasyPrint HTML→PDF", sample_parts["render"]))
    print(line("PAdES signing (pyHanko)", sample_parts["sign"]))
    print(f"\n- first document of an instansi (demo CA generation + warm-up): {warm * 1000:.0f} ms")
    print(f"- idempotent re-run of the task (document exists): {rerun * 1000:.1f} ms")
    print(f"- signed PDF size: {size / 1024:.0f} KiB")
    print(
        f"- {len(rest)} further documents sequentially in one process: {rest_s:.1f} s "
        f"({len(rest) / rest_s:.1f} documents/s; mean of the first 100 {statistics.mean(rest_times[:100]) * 1000:.0f} ms, "
        f"of the last 100 {statistics.mean(rest_times[-100:]) * 1000:.0f} ms; max RSS {rss_before:.0f} → {rss_after:.0f} MiB)"
    )
    print(
        f"\nBulk ZIP job of {zipped} SKP PDFs (documents present, SHA-256 of each verified while zipping): "
        f"{zip_s:.1f} s, {zip_mb:.1f} MiB"
    )
    evaluasi_bench(ins, skp_ids, len(sample))


def evaluasi_bench(ins: Any, skp_ids: list[int], n_docs: int) -> None:
    """Final, rated annual evaluations for every SKP; documents for ``n_docs`` of them; the
    Penetapan Predikat of the largest unit."""
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from evaluasi.models import Evaluasi, KinerjaOrganisasi
    from evaluasi.tasks import evaluasi_dokumen_task, penetapan_dokumen_task
    from skp.models import Skp

    now = timezone.now()
    predikat = ["baik", "baik", "sangat_baik", "butuh_perbaikan"]
    with scopes_disabled():
        skps = list(Skp.objects.filter(pk__in=skp_ids).select_related("pegawai"))
        evs = Evaluasi.objects.bulk_create(
            [
                Evaluasi(
                    instansi=ins, jenis="tahunan", tahun=2026, pegawai=s.pegawai, skp=s,
                    pejabat_penilai_id=s.pejabat_penilai_id, unit_kerja_id=s.pegawai.unit_kerja_id,
                    rating_hasil_kerja="sesuai_ekspektasi",
                    rating_perilaku_kerja="di_atas_ekspektasi" if i % 4 == 2 else "sesuai_ekspektasi",
                    predikat=predikat[i % 4] if i % 4 != 3 else "baik", status="final",
                    dinilai_at=now, final_at=now, justifikasi="Capaian sesuai target tahunan.",
                )
                for i, s in enumerate(skps)
            ]
        )  # fmt: skip
        unit_id = max({e.unit_kerja_id for e in evs}, key=lambda u: sum(e.unit_kerja_id == u for e in evs))
        KinerjaOrganisasi.objects.create(
            instansi=ins, unit_kerja_id=unit_id, tahun=2026, predikat="baik", justifikasi="Capaian PK 100%."
        )
    ids = [e.pk for e in evs][:n_docs]
    times = []
    for i in range(0, len(ids), 10):
        t = time.perf_counter()
        evaluasi_dokumen_task(ins.pk, ids[i : i + 10])
        times.append((time.perf_counter() - t) / len(ids[i : i + 10]))
    t = time.perf_counter()
    evaluasi_dokumen_task(ins.pk, ids)  # idempotent: everything exists
    rerun = (time.perf_counter() - t) / len(ids)
    with scope(instansi=ins.pk):
        unit_n = Evaluasi.objects.filter(unit_kerja_id=unit_id, tahun=2026, jenis="tahunan").count()
    t = time.perf_counter()
    penetapan_dokumen_task(ins.pk, unit_id, 2026, None)
    penetapan = time.perf_counter() - t
    mean = statistics.mean(times)
    print(
        f"\nAnnual Dokumen Evaluasi Kinerja ({len(ids)} evaluations in tasks of 10, 3 results x 2 indicators, "
        f"no realisasi/feedback rows): mean {mean * 1000:.0f} ms per document, p95 of the chunk means "
        f"{pct(times, 95) * 1000:.0f} ms; idempotent re-run {rerun * 1000:.1f} ms per evaluation. "
        f"At this rate one worker process signs {3600 / mean:,.0f} documents an hour."
    )
    print(f"Penetapan Predikat of one unit ({unit_n} annual evaluations in it): {penetapan * 1000:.0f} ms")


if __name__ == "__main__":
    main()
