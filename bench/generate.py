"""Synthetic data for the benchmarks, written with PostgreSQL COPY (psycopg3 ``cursor.copy``), never the ORM.

Shape per instansi (``generate(n_pegawai, n_instansi)`` splits N evenly over M instansi):

- a unit tree four levels deep (1 + b + b² + b³ units, b chosen for ~25 pegawai per unit), one head per
  unit (the head's atasan is the parent unit's head), staff spread over the leaf units;
- two *probe* leaf units per instansi with exactly 3 and exactly 300 staff whose SKPs are all submitted
  (``diajukan``): their heads are the "3 rows" and "300 rows" leaders of the query-count table;
- 7 jabatan (a quarter of the staff JF, for angka kredit), 4 quarterly periods of the year;
- per pegawai: an approved (10 % submitted) SKP for this year with 3 to 8 hasil kerja (RHK) of 1 to 3
  indikator each (the first RHK cascades from the atasan's first RHK), an approved SKP for last year,
  one realisasi per indikator for Q3, two feedback items from the atasan in Q3, quarterly evaluations
  (Q1-Q3 rated, Q4 open), this year's annual evaluation (rated, 0.5 % unrated) and last year's final one;
- the root unit's head is ``admin_instansi``; every account has the password ``BENCH_PASSWORD``.

Ids are reserved in one block per table from the table's sequence. FK triggers are skipped while loading
(``session_replication_role = replica``; the generated rows are consistent by construction), then
``VACUUM ANALYZE``. Not generated (stated in docs/performance.md): perilaku kerja rows, status history, rencana
aksi, bukti dukung, catatan, penugasan, notifications, guardian permissions.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

BENCH_PASSWORD = "bench-Kinerja-2026"  # noqa: S105 - synthetic accounts in a throwaway database
R = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")
W = (0.2, 0.72, 0.08)
ASPEK = ("kuantitas", "kualitas", "waktu", "biaya")


@dataclass
class Probe:
    """Users to log in as for the load test and the query-count table (per instansi)."""

    instansi_id: int
    admin_nip: str = ""
    leader_nips: list[str] = field(default_factory=list)  # heads of ordinary leaf units
    leader3_nip: str = ""
    leader300_nip: str = ""
    unit3_id: int = 0
    unit300_id: int = 0
    skp_ids: list[int] = field(default_factory=list)  # sample of SKPs owned by leader_nips' staff
    skp_rhk3_id: int = 0
    skp_rhk8_id: int = 0


def _reserve(cur: Any, table: str, count: int) -> int:
    """First id of a contiguous block of ``count`` ids from the table's sequence (single loader session)."""
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cur.fetchone()[0]
    cur.execute("SELECT nextval(%s)", [seq])
    first = cur.fetchone()[0]
    cur.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
    return int(first)


def _copy(cur: Any, table: str, columns: list[str], rows: Any) -> int:
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def generate(
    conn: Any, *, n_pegawai: int, n_instansi: int, tahun: int, seed: int = 2026, first_instansi: int = 0
) -> dict[str, Any]:
    """Load N pegawai over M instansi into the migrated database of ``conn`` (psycopg3).

    ``first_instansi`` numbers the instansi (kode ``BENCH<nnn>``, NIP prefix) from that index, so a database
    that already holds generated instansi 0..k-1 can take more (``scripts/bench_batch.py`` without ``--fresh``)."""
    if first_instansi + n_instansi > 90:
        raise ValueError("at most 90 generated instansi per database (two-digit NIP prefix)")
    from django.contrib.auth.hashers import make_password

    from evaluasi.scoring import predikat

    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    pw = make_password(BENCH_PASSWORD)
    now = dt.datetime.now(dt.UTC)
    sizes = [n_pegawai // n_instansi + (1 if i < n_pegawai % n_instansi else 0) for i in range(n_instansi)]
    probes: list[Probe] = []
    rows_total = 0
    t0 = time.perf_counter()
    q_bounds = [
        (dt.date(tahun, m, 1), dt.date(tahun + (m == 10), (m + 3) % 12 or 12, 1)) for m in (1, 4, 7, 10)
    ]
    for ii, n in enumerate(sizes, start=first_instansi):
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute(
                "INSERT INTO kinerja_instansi (kode, nama, jenis, siklus, keberatan_hari, tempat, aktif, created_at,"
                " updated_at) VALUES (%s, %s, 'daerah', 'triwulanan', 14, 'Bench', true, %s, %s) RETURNING id",
                [f"BENCH{ii:03d}", f"Instansi Bench {ii}", now, now],
            )
            iid = cur.fetchone()[0]
            probe = Probe(instansi_id=iid)
            # --- units: four levels
            b = max(2, round((max(n - 303, 50) / 25) ** (1 / 3)))
            n_units = 1 + b + b * b + b * b * b
            u0 = _reserve(cur, "kinerja_unitkerja", n_units)
            units: list[tuple[int, int | None, str, int]] = [(u0, None, f"{u0}.", 0)]
            level = [units[0]]
            k = 1
            for depth in (1, 2, 3):
                nxt: list[tuple[int, int | None, str, int]] = []
                for parent in level:
                    for _ in range(b):
                        uid = u0 + k
                        k += 1
                        u: tuple[int, int | None, str, int] = (uid, parent[0], f"{parent[2]}{uid}.", depth)
                        units.append(u)
                        nxt.append(u)
                level = nxt
            leaves = level
            rows_total += _copy(
                cur, "kinerja_unitkerja",
                ["id", "instansi_id", "nama", "induk_id", "path", "depth", "is_unit_kerja_mandiri", "created_at", "updated_at"],
                ((u[0], iid, f"Unit {u[0]}", u[1], u[2], u[3], False, now, now) for u in units),
            )  # fmt: skip
            jab = [
                ("Kepala Badan", "jpt_pratama", ""), ("Kepala Bidang", "administrator", ""),
                ("Kepala Seksi", "pengawas", ""), ("Pengadministrasi Umum", "pelaksana", ""),
                ("Analis Kebijakan Ahli Muda", "fungsional", "ahli_muda"),
                ("Analis Kebijakan Ahli Pertama", "fungsional", "ahli_pertama"),
                ("Pranata Komputer Terampil", "fungsional", "terampil"),
            ]  # fmt: skip
            j0 = _reserve(cur, "kinerja_jabatan", len(jab))
            _copy(
                cur, "kinerja_jabatan", ["id", "instansi_id", "nama", "jenis", "jenjang", "created_at", "updated_at"],
                ((j0 + x, iid, a, c, d, now, now) for x, (a, c, d) in enumerate(jab)),
            )  # fmt: skip
            head_jab = {0: j0, 1: j0 + 1, 2: j0 + 2, 3: j0 + 2}
            staff_jab = [j0 + 3, j0 + 3, j0 + 4, j0 + 5, j0 + 6, j0 + 3, j0 + 3, j0 + 3]
            per0 = _reserve(cur, "kinerja_periode", 4)
            _copy(
                cur, "kinerja_periode",
                ["id", "instansi_id", "tahun", "nomor", "siklus", "mulai", "selesai", "created_at", "updated_at"],
                ((per0 + q, iid, tahun, q + 1, "triwulanan", a, z - dt.timedelta(days=1), now, now)
                 for q, (a, z) in enumerate(q_bounds)),
            )  # fmt: skip
            # --- pegawai: heads first (level order, so a parent's head precedes), then staff
            n_staff = n - n_units
            staff_units = [leaves[0][0]] * 3 + [leaves[1][0]] * 300
            others = [u[0] for u in leaves[2:]]
            staff_units += [others[rng.randrange(len(others))] for _ in range(max(0, n_staff - 303))]
            staff_units = staff_units[:n_staff]
            uid0 = _reserve(cur, "kinerja_user", n)
            pid0 = _reserve(cur, "kinerja_pegawai", n)
            head_of: dict[int, int] = {}
            peg: list[
                tuple[int, int, str, int, int, int | None, bool]
            ] = []  # id, user, nip, unit, jab, atasan, probe
            probe_units = {leaves[0][0], leaves[1][0]}
            for x in range(n):
                if x < n_units:
                    u = units[x]
                    head_of[u[0]] = pid0 + x
                    peg.append(
                        (
                            pid0 + x,
                            uid0 + x,
                            "",
                            u[0],
                            head_jab[u[3]],
                            head_of.get(u[1]) if u[1] else None,
                            False,
                        )
                    )
                else:
                    unit = staff_units[x - n_units]
                    peg.append(
                        (pid0 + x, uid0 + x, "", unit, staff_jab[x % 8], head_of[unit], unit in probe_units)
                    )
            peg = [(p[0], p[1], f"{ii + 10:02d}{x:016d}", *p[3:]) for x, p in enumerate(peg)]
            probe.admin_nip = peg[0][2]
            by_pid = {p[0]: p for p in peg}
            probe.leader3_nip = by_pid[head_of[leaves[0][0]]][2]
            probe.leader300_nip = by_pid[head_of[leaves[1][0]]][2]
            probe.unit3_id, probe.unit300_id = leaves[0][0], leaves[1][0]
            probe.leader_nips = [by_pid[head_of[u[0]]][2] for u in leaves[2:202]]
            rows_total += _copy(
                cur, "kinerja_user",
                ["id", "password", "is_superuser", "nip", "nama", "email", "is_active", "is_staff", "is_platform_admin", "date_joined",
                 "sesi_versi"],
                ((p[1], pw, False, p[2], f"Pegawai {p[0]}", "", True, False, False, now, 0) for p in peg),
            )  # fmt: skip
            rows_total += _copy(
                cur, "kinerja_pegawai",
                ["id", "instansi_id", "user_id", "nip", "nama", "status", "pangkat_golongan", "unit_kerja_id", "jabatan_id",
                 "atasan_id", "email", "tugas_belajar", "aktif", "created_at", "updated_at"],
                ((p[0], iid, p[1], p[2], f"Pegawai {p[0]:07d}", "pns", "Penata / III/c", p[3], p[4], p[5], "", False, True,
                  now, now) for p in peg),
            )  # fmt: skip
            cur.execute(
                "INSERT INTO kinerja_peraninstansi (instansi_id, user_id, role, created_at, updated_at)"
                " VALUES (%s, %s, 'admin_instansi', %s, %s)",
                [iid, peg[0][1], now, now],
            )
            # --- SKPs (this year with RHK/indikator; last year without)
            s_now0 = _reserve(cur, "skp_skp", n)
            s_prev0 = _reserve(cur, "skp_skp", n)
            status = [
                "diajukan" if (p[6] or rng.random() < 0.10) and p[5] is not None else "disetujui" for p in peg
            ]
            skp_cols = [
                "id", "instansi_id", "pegawai_id", "pejabat_penilai_id", "tahun", "periode_mulai", "periode_selesai",
                "pendekatan", "status", "versi", "revisi", "tugas_belajar", "dukungan_sumber_daya",
                "skema_pertanggungjawaban", "konsekuensi", "diajukan_at", "disetujui_at", "catatan_pengembalian",
                "created_at", "updated_at",
            ]  # fmt: skip
            rows_total += _copy(
                cur, "skp_skp", skp_cols,
                ((s_now0 + x, iid, p[0], p[5], tahun, dt.date(tahun, 1, 1), dt.date(tahun, 12, 31), "kuantitatif",
                  status[x], 1, 0, False, "[]", "[]", "[]", now - dt.timedelta(minutes=x % 5000),
                  None if status[x] == "diajukan" else now, "", now, now) for x, p in enumerate(peg)),
            )  # fmt: skip
            rows_total += _copy(
                cur, "skp_skp", skp_cols,
                ((s_prev0 + x, iid, p[0], p[5], tahun - 1, dt.date(tahun - 1, 1, 1), dt.date(tahun - 1, 12, 31),
                  "kuantitatif", "disetujui", 1, 0, False, "[]", "[]", "[]", now, now, "", now, now)
                 for x, p in enumerate(peg)),
            )  # fmt: skip
            n_rhk = [rng.randint(3, 8) for _ in peg]
            n_rhk[0] = 3  # the admin's (root head's) SKP: the "3 rows" SKP detail
            n_rhk[1] = 8  # the first level-1 head: the "8 rows" SKP detail (8 is the most generated)
            probe.skp_rhk3_id, probe.skp_rhk8_id = s_now0, s_now0 + 1
            total_rhk = sum(n_rhk)
            r0 = _reserve(cur, "skp_rhk", total_rhk)
            n_ind = [rng.randint(1, 3) for _ in range(total_rhk)]
            i0 = _reserve(cur, "skp_indikator", sum(n_ind))
            first_rhk: dict[int, int] = {}
            rhk_rows: list[tuple[Any, ...]] = []
            rid = r0
            for x, p in enumerate(peg):
                first_rhk[p[0]] = rid
                for j in range(n_rhk[x]):
                    pim = first_rhk.get(p[5]) if (j == 0 and p[5] is not None) else None
                    rhk_rows.append((rid, iid, s_now0 + x, "utama" if j < n_rhk[x] - 1 else "tambahan",
                                     f"Hasil kerja {j + 1} pegawai {p[0]}", "direct" if pim else "", "", "", j, pim, now, now))  # fmt: skip
                    rid += 1
            rows_total += _copy(
                cur, "skp_rhk",
                ["id", "instansi_id", "skp_id", "jenis", "rencana_hasil_kerja", "cascading_tipe", "perspektif",
                 "penugasan_dari", "urutan", "rhk_pimpinan_id", "created_at", "updated_at"], rhk_rows,
            )  # fmt: skip
            # indikator + one realisasi each for Q3
            ind: list[tuple[int, int, int, int]] = []  # indikator id, rhk id, skp id, urutan
            iid_ = i0
            for rrow, ni in zip(rhk_rows, n_ind, strict=True):
                for j in range(ni):
                    ind.append((iid_, rrow[0], rrow[2], j))
                    iid_ += 1
            del rhk_rows
            rows_total += _copy(
                cur, "skp_indikator", ["id", "instansi_id", "rhk_id", "aspek", "iki", "target", "urutan", "created_at", "updated_at"],
                ((a, iid, r, ASPEK[j % 4], f"Indikator {j + 1}", "100%", j, now, now) for a, r, _s, j in ind),
            )  # fmt: skip
            rows_total += _copy(
                cur, "dialog_realisasi",
                ["instansi_id", "skp_id", "rhk_id", "indikator_id", "periode_id", "realisasi", "keterangan",
                 "created_at", "updated_at"],
                ((iid, s, r, a, per0 + 2, "Tercapai 80%", "", now, now) for a, r, s, _j in ind),
            )  # fmt: skip
            del ind
            rows_total += _copy(
                cur, "dialog_umpanbalik",
                ["instansi_id", "skp_id", "penerima_id", "pemberi_id", "peran_pemberi", "periode_id", "rhk_id",
                 "core_value", "sifat", "isi", "aktivitas_terakhir_at", "created_at", "updated_at"],
                ((iid, s_now0 + x, p[0], p[5], "pejabat_penilai", per0 + 2, first_rhk[p[0]], "", sf,
                  "Umpan balik triwulan III", now, now, now)
                 for x, p in enumerate(peg) if p[5] is not None for sf in ("apresiasi", "perbaikan")),
            )  # fmt: skip
            # --- evaluations: quarterly (Q1-Q3 rated, Q4 open), annual this year, annual last year (final)
            ev_cols = [
                "instansi_id", "jenis", "tahun", "periode_id", "pegawai_id", "skp_id", "pejabat_penilai_id",
                "unit_kerja_id", "rating_hasil_kerja", "rating_perilaku_kerja", "predikat", "justifikasi",
                "jumlah_umpan_balik", "status", "dinilai_at", "final_at", "created_at", "updated_at",
            ]  # fmt: skip
            last = dt.datetime(tahun - 1, 12, 30, 3, tzinfo=dt.UTC)

            # fmt: off
            def ev_rows(
                peg: list[Any] = peg, s_now0: int = s_now0, s_prev0: int = s_prev0, per0: int = per0,
                iid: int = iid, last: dt.datetime = last,
            ) -> Any:
                def row(p: Any, sid: int, th: int, periode: int | None, rated: bool, n_ub: int | None,
                        st: str = "dinilai", at: dt.datetime = now, final: dt.datetime | None = None) -> Any:
                    hk, pk = (rng.choices(R, W)[0], rng.choices(R, W)[0]) if rated else ("", "")
                    return (iid, "periodik" if periode else "tahunan", th, periode, p[0], sid, p[5], p[3], hk, pk,
                            predikat(hk, pk) if rated else "", "", n_ub, st if rated else "belum_dinilai",
                            at if rated else None, final, at, at)

                for x, p in enumerate(peg):
                    sid = s_now0 + x
                    for q in range(4):  # Q1-Q3 rated (2 feedback items in Q3), Q4 open
                        yield row(p, sid, tahun, per0 + q, q < 3, (2 if q == 2 else 0) if q < 3 else None)
                    yield row(p, sid, tahun, None, x % 200 != 7, 2 if x % 200 != 7 else None)  # 0.5 % unrated
                    yield row(p, s_prev0 + x, tahun - 1, None, True, 1, "final", last, last)  # last year, final
            # fmt: on

            rows_total += _copy(cur, "evaluasi_evaluasi", ev_cols, ev_rows())
            org = ("istimewa", "baik", "baik", "baik", "butuh_perbaikan")
            _copy(
                cur, "evaluasi_kinerjaorganisasi",
                ["instansi_id", "unit_kerja_id", "tahun", "periode_id", "predikat", "justifikasi", "created_at", "updated_at"],
                ((iid, u[0], tahun, None, rng.choice(org), "Capaian PK", now, now) for u in units if rng.random() < 0.9),
            )  # fmt: skip
            leader_pids = {head_of[u[0]] for u in leaves[2:202]}
            probe.skp_ids = [s_now0 + x for x, p in enumerate(peg) if p[5] in leader_pids][:500]
            probes.append(probe)
        print(
            f"  instansi {ii - first_instansi + 1}/{n_instansi}: {n:,} pegawai, {n_units:,} units, {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    t_copy = time.perf_counter() - t0
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")  # hint bits + visibility map, as on a long-lived production database
    conn.autocommit = False
    return {
        "pegawai": n_pegawai,
        "instansi": n_instansi,
        "rows": rows_total,
        "copy_s": round(t_copy, 1),
        "analyze_s": round(time.perf_counter() - t0 - t_copy, 1),
        "probes": [p.__dict__ for p in probes],
    }
