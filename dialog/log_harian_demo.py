"""Demo data: four weeks of daily log for the demo accounts' team (``manage.py seed_demo``).

Idempotent per pegawai: only pegawai without any log entry get some, so a re-run writes nothing. One
``INSERT ... SELECT`` over their approved SKP of the year x the working days of the last four weeks
(today excluded, so the demo user can log today): older than a week accepted (every 9th rejected with a
note, to show correcting and resubmitting), the last week waiting for the leader."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from dialog.models import LogHarian

KEGIATAN = [
    "Menyusun draf laporan kegiatan bulanan",
    "Rapat koordinasi tim",
    "Memverifikasi berkas usulan dari unit",
    "Menginput data ke aplikasi SIASN",
    "Menyiapkan bahan paparan pimpinan",
    "Menindaklanjuti disposisi pimpinan",
    "Mengolah data capaian kinerja triwulan",
    "Memberikan layanan konsultasi kepada pegawai",
]


def log_harian_demo_seed(*, instansi_id: int, pegawai_ids: list[int], today: dt.date | None = None) -> int:
    """Returns the number of entries written (0 on a re-run)."""
    if not pegawai_ids:
        return 0
    today = today or timezone.localdate()
    dari = today - dt.timedelta(days=28)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH s AS (
                SELECT DISTINCT ON (s.pegawai_id) s.id AS skp_id, s.pegawai_id, s.periode_mulai,
                       (SELECT array_agg(r.id ORDER BY r.id) FROM skp_rhk r WHERE r.skp_id = s.id) AS rhk
                FROM skp_skp s
                WHERE s.instansi_id = %(i)s AND s.pegawai_id = ANY(%(ids)s) AND s.status = 'disetujui'
                  AND s.periode_mulai <= %(today)s AND s.periode_selesai >= %(today)s
                  AND NOT EXISTS (SELECT 1 FROM {LogHarian._meta.db_table} l
                                  WHERE l.instansi_id = s.instansi_id AND l.pegawai_id = s.pegawai_id)
                ORDER BY s.pegawai_id, s.periode_mulai DESC
            )
            INSERT INTO {LogHarian._meta.db_table}
                (instansi_id, pegawai_id, skp_id, rhk_id, tanggal, uraian, durasi_menit, tautan, berkas,
                 nama_berkas, tipe_konten, ukuran, sha256, status, catatan_verifikasi, verified_at,
                 created_at, updated_at)
            SELECT %(i)s, s.pegawai_id, s.skp_id, s.rhk[1 + ((s.pegawai_id + k.n) %% cardinality(s.rhk))], d.tgl,
                   (%(kegiatan)s::text[])[1 + ((s.pegawai_id * 3 + (d.tgl - %(dari)s) + k.n) %% %(nk)s)],
                   60 + ((s.pegawai_id + (d.tgl - %(dari)s) * 7 + k.n * 5) %% 8) * 30, '', '', '', '', 0, '',
                   CASE WHEN d.tgl >= %(today)s::date - 7 THEN 'menunggu'
                        WHEN (s.pegawai_id + (d.tgl - %(dari)s) + k.n) %% 9 = 0 THEN 'ditolak' ELSE 'diterima' END,
                   CASE WHEN d.tgl < %(today)s::date - 7 AND (s.pegawai_id + (d.tgl - %(dari)s) + k.n) %% 9 = 0
                        THEN 'Mohon sebutkan hasil atau keluarannya.' ELSE '' END,
                   CASE WHEN d.tgl < %(today)s::date - 7 THEN (d.tgl + 1)::timestamptz END,
                   d.tgl::timestamptz + interval '16 hours', d.tgl::timestamptz + interval '16 hours'
            FROM s
            CROSS JOIN LATERAL (SELECT g::date AS tgl FROM generate_series(%(dari)s::date, %(today)s::date - 1,
                                '1 day') g WHERE extract(isodow FROM g) < 6 AND g::date >= s.periode_mulai) d
            CROSS JOIN generate_series(0, 1) k(n)
            WHERE cardinality(s.rhk) > 0
            """,  # noqa: S608 - only the model's table name is interpolated
            {"i": instansi_id, "ids": pegawai_ids, "today": today, "dari": dari, "kegiatan": KEGIATAN,
             "nk": len(KEGIATAN)},
        )  # fmt: skip
        return cur.rowcount
