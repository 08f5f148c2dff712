"""The December batch: set-based, chunked by pegawai id range, idempotent, resumable, tenant-scoped.

``tahunan_batch_run`` is what the Celery task (and ``scripts/bench_batch.py``) calls:

1. Plan chunks: pegawai id ranges of ``EVALUASI_BATCH_SIZE`` ids of the instansi.
2. Tahap ``nilai`` per chunk, one transaction each: INSERT ... SELECT the missing annual rows (ON
   CONFLICT DO NOTHING), re-point unrated ones at the stint covering 31 December, refresh the unit of
   non-final rows, and UPDATE the predikat of every rated non-final row from the §6.4 matrix (a SQL
   CASE generated from ``scoring.MATRIKS_PREDIKAT``). No rating is ever invented.
3. Completeness per unit (+ the list of those still missing ratings) and the predikat summary: reads.
4. Distribution check per unit: one GROUP BY, then ``scoring.cek_distribusi`` per unit (warnings only).
5. Tahap ``final`` per chunk: UPDATE rated rows of the year to ``final`` (PATCH → 409 afterwards),
   INSERT ... SELECT the follow-ups (talent pool, competence development, 6-month improvement window)
   and UPSERT angka kredit for JF; notify the newly finalised.
6. Hand-off: ``evaluasi.hooks.on_tahunan_finalised(instansi_id, tahun)``.

Every chunk writes its ``BatchChunk`` ledger row (round, tahap, id range) in its own transaction,
under a transaction-level advisory lock per (instansi, tahun), so a killed worker leaves exactly the
unfinished chunks and the next run resumes the same round, skipping finished ones. A completed round
is closed (``selesai`` marker); a later run opens a new round that changes only what changed. Every statement filters ``instansi_id``. A dry run
computes the same figures with reads only (no chunk, ledger, lock, follow-up or notification).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from evaluasi import hooks, scoring
from evaluasi.models import AngkaKredit, KinerjaOrganisasi, TahapBatch, TindakLanjut
from evaluasi.selectors import aturan_distribusi_for
from evaluasi.services import tahunan_best_stint_sql, tahunan_ensure_execute
from kinerja.models import Instansi, Job, User
from kinerja.replica import current_read_alias, read_replica
from kinerja.services.audit import audit_log
from kinerja.services.jobs import job_advance, job_fail, job_finish, job_set_detail, job_start

logger = logging.getLogger(__name__)

MAX_BELUM_PER_UNIT = 50
# The progress bar (``Job.done``) moves every chunk. The JSON ``detail`` is small during the first chunk
# loop and is rewritten there at most once per this many seconds (the UI polls every second). From step 2
# on it carries the per-unit completeness and distribution (~1 MB for a 100k-pegawai instansi; any change
# to it rewrites the whole value), so it is written only twice more: once when the per-unit results exist
# (entering the final chunk loop) and once at the end. In the final loop only ``Job.done`` moves (a
# one-column UPDATE; the stored detail is not rewritten). Rewriting it per chunk, then once a second,
# was the batch's largest single cost at 1M (10.7 s in 105 writes; docs/performance.md).
PROGRESS_DETAIL_SECONDS = 1.0
PRED = scoring.predikat_sql("e.rating_hasil_kerja", "e.rating_perilaku_kerja")


class BatchGagalUji(RuntimeError):
    """Raised by the test hook ``EVALUASI_BATCH_GAGAL`` to simulate a worker dying inside a chunk."""


def batch_size() -> int:
    return int(getattr(settings, "EVALUASI_BATCH_SIZE", 5000))


def _fail_hook(tahap: str, urutan: int) -> None:
    """Test hook: ``EVALUASI_BATCH_GAGAL = {"tahap": "final", "urutan": 1}`` raises inside that chunk,
    after its statements ran and before its ledger row commits (so the chunk rolls back)."""
    gagal = getattr(settings, "EVALUASI_BATCH_GAGAL", None)
    if gagal and gagal.get("tahap") == tahap and int(gagal.get("urutan", -1)) == urutan:
        raise BatchGagalUji(f"Gagal uji pada chunk {tahap} #{urutan}")


# ---------------------------------------------------------------------------------------------- plan


def chunk_plan(*, instansi_id: int, size: int | None = None) -> list[tuple[int, int]]:
    """Pegawai id ranges [dari, sampai) of ``size`` ids each, in one query."""
    size = size or batch_size()
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT id, (SELECT max(id) FROM kinerja_pegawai WHERE instansi_id = %(i)s)
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM kinerja_pegawai WHERE instansi_id = %(i)s) t
            WHERE (rn - 1) %% %(n)s = 0 ORDER BY id
            """,
            {"i": instansi_id, "n": size},
        )
        rows = cur.fetchall()
    if not rows:
        return []
    bounds = [r[0] for r in rows]
    top = rows[0][1] + 1
    return [(b, bounds[i + 1] if i + 1 < len(bounds) else top) for i, b in enumerate(bounds)]


def _advisory_lock(*, instansi_id: int, tahun: int) -> None:
    """Serialise the batch's transactions of one (instansi, tahun) across workers."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"evaluasi.tahunan:{instansi_id}:{tahun}"],
        )


def ronde_aktif(*, instansi_id: int, tahun: int) -> int:
    """The round to work on: the latest one if it has no ``selesai`` marker (resume), else a new one."""
    with transaction.atomic():
        _advisory_lock(instansi_id=instansi_id, tahun=tahun)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT max(ronde), bool_or(tahap = 'selesai' AND ronde = (SELECT max(ronde) FROM evaluasi_batchchunk"
                " WHERE instansi_id = %(i)s AND tahun = %(t)s)) FROM evaluasi_batchchunk WHERE instansi_id = %(i)s AND tahun = %(t)s",
                {"i": instansi_id, "t": tahun},
            )
            latest, closed = cur.fetchone()
    if latest is None:
        return 1
    return int(latest) + 1 if closed else int(latest)


def ronde_final_at(*, instansi_id: int, tahun: int, ronde: int) -> dt.datetime:
    """The finalisation time of a round: when its first ``final`` chunk committed (a resumed round keeps
    it, so every evaluation finalised in the round shares one date and one keberatan deadline), else now."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(created_at) FROM evaluasi_batchchunk WHERE instansi_id = %s AND tahun = %s AND ronde = %s"
            " AND tahap = 'final'",
            [instansi_id, tahun, ronde],
        )
        first = cur.fetchone()[0]
    return first or timezone.now()


def _lock_and_check(*, instansi_id: int, tahun: int, ronde: int, tahap: str, dari: int, sampai: int) -> bool:
    """Take the (instansi, tahun) lock for this transaction; True if the chunk is already done this round."""
    _advisory_lock(instansi_id=instansi_id, tahun=tahun)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM evaluasi_batchchunk WHERE instansi_id = %s AND tahun = %s AND ronde = %s AND tahap = %s"
            " AND id_dari = %s AND id_sampai = %s",
            [instansi_id, tahun, ronde, tahap, dari, sampai],
        )
        return cur.fetchone() is not None


def _record(
    *,
    instansi_id: int,
    tahun: int,
    ronde: int,
    tahap: str,
    dari: int,
    sampai: int,
    jumlah: int,
    job_id: int | None,
    waktu: dt.datetime | None = None,
) -> None:
    """One ledger row. ``waktu`` (created_at) of a ``final`` chunk is the round's finalisation time."""
    now = waktu or timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO evaluasi_batchchunk (instansi_id, tahun, ronde, tahap, id_dari, id_sampai, jumlah, job_id,
                                             created_at, updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
            """,
            [instansi_id, tahun, ronde, tahap, dari, sampai, jumlah, job_id, now, now],
        )


def ronde_tutup(*, instansi_id: int, tahun: int, ronde: int, job_id: int | None) -> None:
    """Mark the round complete: the next run starts a fresh round."""
    with transaction.atomic():
        _advisory_lock(instansi_id=instansi_id, tahun=tahun)
        _record(
            instansi_id=instansi_id,
            tahun=tahun,
            ronde=ronde,
            tahap=TahapBatch.SELESAI,
            dari=0,
            sampai=0,
            jumlah=0,
            job_id=job_id,
        )


# ---------------------------------------------------------------------------------------------- chunk: nilai


def chunk_nilai(
    *,
    instansi_id: int,
    tahun: int,
    dari: int,
    sampai: int,
    ronde: int,
    urutan: int = 0,
    job_id: int | None = None,
) -> dict[str, int] | None:
    """Steps 1-2 for pegawai ids [dari, sampai): rows exist, units current, predikat from ratings.
    Returns counts, or None when the ledger says this chunk is already done."""
    p: dict[str, Any] = {
        "instansi": instansi_id,
        "tahun": tahun,
        "dari": dari,
        "sampai": sampai,
        "now": timezone.now(),
    }
    with transaction.atomic():
        if _lock_and_check(
            instansi_id=instansi_id,
            tahun=tahun,
            ronde=ronde,
            tahap=TahapBatch.NILAI,
            dari=dari,
            sampai=sampai,
        ):
            return None
        created, moved = tahunan_ensure_execute(
            instansi_id=instansi_id, tahun=tahun, id_dari=dari, id_sampai=sampai
        )
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE evaluasi_evaluasi e SET unit_kerja_id = p.unit_kerja_id, updated_at = %(now)s
                FROM kinerja_pegawai p
                WHERE e.instansi_id = %(instansi)s AND p.instansi_id = %(instansi)s AND p.id = e.pegawai_id
                  AND e.jenis = 'tahunan' AND e.tahun = %(tahun)s AND e.status <> 'final'
                  AND e.pegawai_id >= %(dari)s AND e.pegawai_id < %(sampai)s
                  AND p.id >= %(dari)s AND p.id < %(sampai)s
                  AND e.unit_kerja_id <> p.unit_kerja_id
                """,
                p,
            )
            unit = cur.rowcount
            cur.execute(
                f"""
                UPDATE evaluasi_evaluasi e
                SET predikat = {PRED},
                    status = CASE WHEN {PRED} = '' THEN 'belum_dinilai' ELSE 'dinilai' END,
                    updated_at = %(now)s
                WHERE e.instansi_id = %(instansi)s AND e.tahun = %(tahun)s AND e.status <> 'final'
                  AND e.pegawai_id >= %(dari)s AND e.pegawai_id < %(sampai)s
                  AND (e.predikat, e.status) IS DISTINCT FROM
                      ({PRED}, CASE WHEN {PRED} = '' THEN 'belum_dinilai' ELSE 'dinilai' END)
                """,  # noqa: S608 - PRED is generated from the enum table, no input
                p,
            )
            predikat = cur.rowcount
        hasil = {"dibuat": created, "dialihkan": moved, "unit": unit, "predikat": predikat}
        _fail_hook(TahapBatch.NILAI, urutan)
        _record(
            instansi_id=instansi_id,
            tahun=tahun,
            ronde=ronde,
            tahap=TahapBatch.NILAI,
            dari=dari,
            sampai=sampai,
            jumlah=created + predikat,
            job_id=job_id,
        )
        audit_log(
            actor=None, instansi=instansi_id, action="evaluasi.tahunan.nilai", object_type="evaluasi.batch",
            object_id=f"{tahun}:{dari}-{sampai}", object_repr=f"Batch tahunan {tahun} nilai {dari}-{sampai}", after=hasil,
        )  # fmt: skip
    return hasil


# ---------------------------------------------------------------------------------------------- follow-ups SQL


def _tindak_lanjut_case() -> str:
    perbaikan = scoring.perbaikan_sql("src.predikat", "jj.jenis")
    beruntun = " ".join(
        f"WHEN src.predikat = '{p}' AND prev.predikat = '{p}' THEN '{jenis}'"
        for p, jenis in scoring.TINDAK_LANJUT_BERUNTUN.items()
    )
    return f"CASE WHEN {perbaikan} THEN 'perbaikan_kinerja' {beruntun} END"


def tindak_lanjut_select(src: str) -> str:
    """Follow-ups for the rows of ``src`` (evaluasi_id, pegawai_id, predikat, tanggal): streaks against the
    previous year's final annual predikat, and the improvement window [tanggal, tanggal + 6 months] for
    the predikat of ``scoring.predikat_perbaikan`` by the pegawai's jabatan kind (JPT from Butuh Perbaikan)."""
    return f"""
        SELECT src.evaluasi_id, src.pegawai_id, t.jenis,
               CASE WHEN t.jenis = 'perbaikan_kinerja' THEN src.tanggal END AS mulai,
               CASE WHEN t.jenis = 'perbaikan_kinerja'
                    THEN (src.tanggal + make_interval(months => {scoring.BULAN_PERBAIKAN}))::date END AS selesai
        FROM {src} src
        LEFT JOIN evaluasi_evaluasi prev
               ON prev.instansi_id = %(instansi)s AND prev.jenis = 'tahunan' AND prev.tahun = %(tahun)s - 1
              AND prev.pegawai_id = src.pegawai_id AND prev.status = 'final'
        LEFT JOIN LATERAL (
            SELECT j.jenis FROM kinerja_pegawai pg
            JOIN kinerja_jabatan j ON j.id = pg.jabatan_id AND j.instansi_id = %(instansi)s
            WHERE pg.id = src.pegawai_id AND pg.instansi_id = %(instansi)s
        ) jj ON true
        CROSS JOIN LATERAL (SELECT {_tindak_lanjut_case()} AS jenis) t
        WHERE t.jenis IS NOT NULL
    """  # noqa: S608 - src is one of this module's fixed sub-selects


def angka_kredit_select(src: str, *, rentang: bool = False) -> str:
    """Angka kredit for JF rows of ``src`` across a promotion (domain.md "Angka kredit across a promotion",
    §8.3): the months worked = whole months of the year covered by the union of the pegawai's approved SKP
    stints (multirange); each month takes the jenjang of the placement (``kinerja_penempatan``) in force on
    its first day, else the current jabatan; nilai = Σ(bulan_j * koefisien_j) * persentase / 1200, rounded
    once. The same rule in Python: ``scoring.jenjang_per_bulan`` + ``scoring.angka_kredit_rincian``.
    Only pegawai who are a JF now or had a JF placement in the year are looked at.
    ``rentang``: ``src`` is limited to pegawai ids [%(dari)s, %(sampai)s); the pegawai JOIN is limited to
    the same range (else PostgreSQL hashes every pegawai of the instansi for each chunk)."""
    p_range = "AND p.id >= %(dari)s AND p.id < %(sampai)s" if rentang else ""
    koef = scoring.values_sql(scoring.KOEFISIEN_AK)
    return f"""
        SELECT src.evaluasi_id, src.pegawai_id, seg.jenjang, src.predikat, pr.persen, seg.koef, seg.bulan,
               round(seg.bk * pr.persen / 1200, {scoring.AK_DESIMAL}) AS nilai, seg.rincian
        FROM {src} src
        JOIN kinerja_pegawai p ON p.id = src.pegawai_id AND p.instansi_id = %(instansi)s {p_range}
        JOIN kinerja_jabatan j ON j.id = p.jabatan_id AND j.instansi_id = %(instansi)s
        JOIN (VALUES {scoring.values_sql(scoring.PERSENTASE_AK)}) AS pr(predikat, persen) ON pr.predikat = src.predikat
        CROSS JOIN LATERAL (
            SELECT range_agg(daterange(s.periode_mulai, s.periode_selesai, '[]')) AS mr
            FROM skp_skp s
            WHERE s.instansi_id = %(instansi)s AND s.pegawai_id = src.pegawai_id AND s.tahun = %(tahun)s
              AND s.status IN ('disetujui', 'diganti')
        ) st
        CROSS JOIN LATERAL (
            SELECT sum(g.bulan)::int AS bulan, sum(g.bulan * g.koef) AS bk,
                   (array_agg(g.jenjang ORDER BY g.akhir DESC))[1] AS jenjang,
                   (array_agg(g.koef ORDER BY g.akhir DESC))[1] AS koef,
                   jsonb_agg(jsonb_build_object('jenjang', g.jenjang, 'bulan', g.bulan, 'koefisien', g.koef::text)
                             ORDER BY g.akhir) AS rincian
            FROM (
                SELECT mj.jenjang, k.koef, count(*)::int AS bulan, max(m.n) AS akhir
                FROM generate_series(1, 12) AS m(n)
                LEFT JOIN LATERAL (
                    SELECT j2.jenis, j2.jenjang
                    FROM kinerja_penempatan pn
                    JOIN kinerja_jabatan j2 ON j2.id = pn.jabatan_id AND j2.instansi_id = %(instansi)s
                    WHERE pn.instansi_id = %(instansi)s AND pn.pegawai_id = src.pegawai_id
                      AND pn.mulai <= make_date(%(tahun)s, m.n, 1)
                      AND (pn.selesai IS NULL OR pn.selesai >= make_date(%(tahun)s, m.n, 1))
                    ORDER BY pn.mulai DESC, pn.id DESC
                    LIMIT 1
                ) pj ON true
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN coalesce(pj.jenis, j.jenis) = 'fungsional'
                                THEN coalesce(pj.jenjang, j.jenjang) END AS jenjang
                ) mj
                JOIN (VALUES {koef}) AS k(jenjang, koef) ON k.jenjang = mj.jenjang
                WHERE daterange(make_date(%(tahun)s, m.n, 1), (make_date(%(tahun)s, m.n, 1) + interval '1 month')::date)
                      <@ st.mr
                GROUP BY mj.jenjang, k.koef
            ) g
        ) seg
        WHERE (j.jenis = 'fungsional' OR EXISTS (
                  SELECT 1 FROM kinerja_penempatan pn
                  JOIN kinerja_jabatan j3 ON j3.id = pn.jabatan_id AND j3.instansi_id = %(instansi)s
                  WHERE pn.instansi_id = %(instansi)s AND pn.pegawai_id = src.pegawai_id
                    AND j3.jenis = 'fungsional' AND pn.mulai <= make_date(%(tahun)s, 12, 1)
                    AND (pn.selesai IS NULL OR pn.selesai >= make_date(%(tahun)s, 1, 1))))
          AND seg.bulan > 0
    """  # noqa: S608 - src is one of this module's fixed sub-selects


_FINAL_SRC = """(
    SELECT e.id AS evaluasi_id, e.pegawai_id, e.predikat, (e.final_at AT TIME ZONE %(tz)s)::date AS tanggal
    FROM evaluasi_evaluasi e
    WHERE e.instansi_id = %(instansi)s AND e.jenis = 'tahunan' AND e.tahun = %(tahun)s AND e.status = 'final'
      AND e.pegawai_id >= %(dari)s AND e.pegawai_id < %(sampai)s
)"""


def _follow_ups(cur: Any, p: dict[str, Any]) -> tuple[int, int]:
    cur.execute(
        f"""
        INSERT INTO evaluasi_tindaklanjut (instansi_id, pegawai_id, tahun, evaluasi_id, jenis, mulai, selesai, created_at, updated_at)
        SELECT %(instansi)s, t.pegawai_id, %(tahun)s, t.evaluasi_id, t.jenis, t.mulai, t.selesai, %(now)s, %(now)s
        FROM ({tindak_lanjut_select(_FINAL_SRC)}) t
        ON CONFLICT DO NOTHING
        """,  # noqa: S608
        p,
    )
    tl = cur.rowcount
    cur.execute(
        f"""
        INSERT INTO evaluasi_angkakredit (instansi_id, pegawai_id, tahun, evaluasi_id, jenjang, predikat, persentase,
                                          koefisien, bulan, nilai, rincian, created_at, updated_at)
        SELECT %(instansi)s, a.pegawai_id, %(tahun)s, a.evaluasi_id, a.jenjang, a.predikat, a.persen, a.koef, a.bulan,
               a.nilai, a.rincian, %(now)s, %(now)s
        FROM ({angka_kredit_select(_FINAL_SRC, rentang=True)}) a
        ON CONFLICT (instansi_id, pegawai_id, tahun) DO UPDATE
        SET evaluasi_id = EXCLUDED.evaluasi_id, jenjang = EXCLUDED.jenjang, predikat = EXCLUDED.predikat,
            persentase = EXCLUDED.persentase, koefisien = EXCLUDED.koefisien, bulan = EXCLUDED.bulan,
            nilai = EXCLUDED.nilai, rincian = EXCLUDED.rincian, updated_at = EXCLUDED.updated_at
        WHERE (evaluasi_angkakredit.evaluasi_id, evaluasi_angkakredit.jenjang, evaluasi_angkakredit.predikat,
               evaluasi_angkakredit.bulan, evaluasi_angkakredit.nilai, evaluasi_angkakredit.rincian)
              IS DISTINCT FROM (EXCLUDED.evaluasi_id, EXCLUDED.jenjang, EXCLUDED.predikat, EXCLUDED.bulan, EXCLUDED.nilai,
                                EXCLUDED.rincian)
        """,  # noqa: S608
        p,
    )
    return tl, cur.rowcount


# ---------------------------------------------------------------------------------------------- chunk: final


def chunk_final(
    *,
    instansi_id: int,
    tahun: int,
    dari: int,
    sampai: int,
    final_at: dt.datetime,
    ronde: int,
    urutan: int = 0,
    job_id: int | None = None,
) -> dict[str, int] | None:
    """Steps 4-5 for pegawai ids [dari, sampai): lock rated evaluations of the year, record follow-ups and
    angka kredit, notify the newly finalised. None when the ledger says the chunk is done."""
    p: dict[str, Any] = {
        "instansi": instansi_id, "tahun": tahun, "dari": dari, "sampai": sampai, "now": timezone.now(),
        "final_at": final_at, "tz": settings.TIME_ZONE,
    }  # fmt: skip
    with transaction.atomic():
        if _lock_and_check(
            instansi_id=instansi_id,
            tahun=tahun,
            ronde=ronde,
            tahap=TahapBatch.FINAL,
            dari=dari,
            sampai=sampai,
        ):
            return None
        with connection.cursor() as cur:
            # one row back (a count and the annual rows' pegawai ids), not a row per finalised evaluation
            cur.execute(
                """
                WITH f AS (
                    UPDATE evaluasi_evaluasi SET status = 'final', final_at = %(final_at)s, updated_at = %(final_at)s,
                           diterima_at = COALESCE(diterima_at, %(final_at)s)  -- annual: delivered now (issue #17)
                    WHERE instansi_id = %(instansi)s AND tahun = %(tahun)s AND status = 'dinilai' AND predikat <> ''
                      AND pegawai_id >= %(dari)s AND pegawai_id < %(sampai)s
                    RETURNING pegawai_id, jenis
                )
                SELECT count(*), array_agg(DISTINCT pegawai_id ORDER BY pegawai_id) FILTER (WHERE jenis = 'tahunan')
                FROM f
                """,
                p,
            )
            jumlah_final, tahunan = cur.fetchone()
            tl, ak = _follow_ups(cur, p)
        tahunan_ids: list[int] = tahunan or []
        notified = hooks.notify_evaluasi_final(instansi_id=instansi_id, tahun=tahun, pegawai_ids=tahunan_ids)
        hasil = {
            "final": jumlah_final,
            "final_tahunan": len(tahunan_ids),
            "tindak_lanjut": tl,
            "angka_kredit": ak,
            "notifikasi": notified,
        }
        _fail_hook(TahapBatch.FINAL, urutan)
        _record(
            instansi_id=instansi_id,
            tahun=tahun,
            ronde=ronde,
            tahap=TahapBatch.FINAL,
            dari=dari,
            sampai=sampai,
            jumlah=jumlah_final,
            job_id=job_id,
            waktu=final_at,
        )
        audit_log(
            actor=None, instansi=instansi_id, action="evaluasi.tahunan.final", object_type="evaluasi.batch",
            object_id=f"{tahun}:{dari}-{sampai}", object_repr=f"Batch tahunan {tahun} final {dari}-{sampai}", after=hasil,
        )  # fmt: skip
    return hasil


@transaction.atomic
def tindak_lanjut_hitung_ulang(*, instansi_id: int, tahun: int, pegawai_id: int) -> None:
    """Recompute one pegawai's follow-ups and angka kredit after an accepted keberatan changed the
    predikat (same SQL as the batch, restricted to one id)."""
    # a follow-up with recorded steps (§8.2 chain) is a record of decisions made: kept, never recomputed away
    TindakLanjut.objects.filter(
        instansi_id=instansi_id, tahun=tahun, pegawai_id=pegawai_id, langkah__isnull=True
    ).delete()
    AngkaKredit.objects.filter(instansi_id=instansi_id, tahun=tahun, pegawai_id=pegawai_id).delete()
    p: dict[str, Any] = {
        "instansi": instansi_id, "tahun": tahun, "dari": pegawai_id, "sampai": pegawai_id + 1,
        "now": timezone.now(), "tz": settings.TIME_ZONE,
    }  # fmt: skip
    with connection.cursor() as cur:
        _follow_ups(cur, p)


# ---------------------------------------------------------------------------------------------- reads (steps 1, 3, 5 summary)


def _basis_real() -> str:
    return """
        SELECT e.id AS evaluasi_id, e.pegawai_id, e.unit_kerja_id, e.pejabat_penilai_id,
               e.pejabat_penilai_non_asn_id, e.predikat, e.status, e.dinilai_at
        FROM evaluasi_evaluasi e
        WHERE e.instansi_id = %(instansi)s AND e.jenis = 'tahunan' AND e.tahun = %(tahun)s
    """


def _basis_dry() -> str:
    """What the annual rows *would* be after tahap nilai, computed without writing (dry run)."""
    return f"""
        WITH best AS ({tahunan_best_stint_sql("")}),
        cur AS (
            SELECT * FROM evaluasi_evaluasi
            WHERE instansi_id = %(instansi)s AND jenis = 'tahunan' AND tahun = %(tahun)s
        )
        SELECT e.id AS evaluasi_id,
               COALESCE(e.pegawai_id, b.pegawai_id) AS pegawai_id,
               CASE WHEN e.status = 'final' THEN e.unit_kerja_id ELSE p.unit_kerja_id END AS unit_kerja_id,
               CASE WHEN e.id IS NULL OR e.status = 'belum_dinilai' THEN COALESCE(b.pejabat_penilai_id, e.pejabat_penilai_id)
                    ELSE e.pejabat_penilai_id END AS pejabat_penilai_id,
               CASE WHEN e.id IS NULL OR e.status = 'belum_dinilai'
                    THEN COALESCE(b.pejabat_penilai_non_asn_id, e.pejabat_penilai_non_asn_id)
                    ELSE e.pejabat_penilai_non_asn_id END AS pejabat_penilai_non_asn_id,
               CASE WHEN e.status = 'final' THEN e.predikat WHEN e.id IS NULL THEN '' ELSE {PRED} END AS predikat,
               CASE WHEN e.status = 'final' THEN 'final' WHEN e.id IS NULL OR {PRED} = '' THEN 'belum_dinilai'
                    ELSE 'dinilai' END AS status,
               e.dinilai_at
        FROM best b
        FULL OUTER JOIN cur e ON e.pegawai_id = b.pegawai_id
        JOIN kinerja_pegawai p ON p.id = COALESCE(e.pegawai_id, b.pegawai_id) AND p.instansi_id = %(instansi)s
    """  # noqa: S608


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connections[current_read_alias()].cursor() as cur:  # the replica in a dry run
        cur.execute(sql, params)
        return cur.fetchall()


def rekap_unit(*, basis: str, params: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Per unit: name, totals and predikat counts (one GROUP BY over the rows, then the unit names: joining
    first let PostgreSQL walk every unit's rows of all kinds through the unit index, 2.4x slower at 1M)."""
    counts = ", ".join(
        f"count(*) FILTER (WHERE b.predikat = '{p}') AS p{i}" for i, p in enumerate(scoring.PREDIKAT_ORDER)
    )
    cols = ", ".join(f"agg.p{i}" for i in range(len(scoring.PREDIKAT_ORDER)))
    rows = _fetch(
        f"""
        WITH agg AS (
            SELECT b.unit_kerja_id, count(*) AS n, count(*) FILTER (WHERE b.predikat <> '') AS dinilai, {counts}
            FROM ({basis}) b GROUP BY b.unit_kerja_id
        )
        SELECT agg.unit_kerja_id, u.nama, agg.n, agg.dinilai, {cols}
        FROM agg JOIN kinerja_unitkerja u ON u.id = agg.unit_kerja_id AND u.instansi_id = %(instansi)s
        ORDER BY u.path
        """,  # noqa: S608
        params,
    )
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        out[r[0]] = {
            "unit_id": r[0],
            "unit": r[1],
            "jumlah": r[2],
            "dinilai": r[3],
            "predikat": dict(zip(scoring.PREDIKAT_ORDER, r[4:], strict=True)),
        }
    return out


def belum_dinilai(*, basis: str, params: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Per unit, the first ``MAX_BELUM_PER_UNIT`` pegawai still without ratings (by name)."""
    rows = _fetch(
        f"""
        WITH basis AS ({basis}),
        m AS (
            SELECT b.unit_kerja_id, p.id, p.nip, p.nama, COALESCE(pp.nama, na.nama) AS penilai,
                   row_number() OVER (PARTITION BY b.unit_kerja_id ORDER BY p.nama, p.id) AS rn
            FROM basis b
            JOIN kinerja_pegawai p ON p.id = b.pegawai_id AND p.instansi_id = %(instansi)s
            LEFT JOIN kinerja_pegawai pp ON pp.id = b.pejabat_penilai_id AND pp.instansi_id = %(instansi)s
            LEFT JOIN kinerja_pejabatnonasn na
                   ON na.id = b.pejabat_penilai_non_asn_id AND na.instansi_id = %(instansi)s
            WHERE b.predikat = ''
        )
        SELECT unit_kerja_id, id, nip, nama, penilai FROM m WHERE rn <= {MAX_BELUM_PER_UNIT} ORDER BY unit_kerja_id, rn
        """,  # noqa: S608
        params,
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for unit_id, pid, nip, nama, penilai in rows:
        out[unit_id].append({"pegawai_id": pid, "nip": nip, "nama": nama, "pejabat_penilai": penilai or ""})
    return out


def dinilai_sebelum_per_unit(*, basis: str, params: dict[str, Any]) -> dict[int, int]:
    """Per unit: rated annual rows whose rating is older than the unit's annual org predikat (its last
    change, ``updated_at``): the default rule version warns about them (domain.md Product decisions)."""
    rows = _fetch(
        f"""
        SELECT b.unit_kerja_id, count(*)
        FROM ({basis}) b
        JOIN evaluasi_kinerjaorganisasi k
          ON k.instansi_id = %(instansi)s AND k.unit_kerja_id = b.unit_kerja_id AND k.tahun = %(tahun)s
         AND k.periode_id IS NULL
        WHERE b.predikat <> '' AND b.dinilai_at < k.updated_at
        GROUP BY b.unit_kerja_id
        """,  # noqa: S608
        params,
    )
    return {unit_id: n for unit_id, n in rows}


def distribusi_per_unit(
    *,
    instansi: Instansi,
    tahun: int,
    rekap: dict[int, dict[str, Any]],
    sebelum: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Step 3: the guideline check of every unit against its annual org predikat (warnings only)."""
    sebelum = sebelum or {}
    aturan = aturan_distribusi_for(instansi=instansi)
    org = dict(
        KinerjaOrganisasi.objects.filter(instansi=instansi, tahun=tahun, periode__isnull=True).values_list(
            "unit_kerja_id", "predikat"
        )
    )
    out = []
    for unit_id, r in rekap.items():
        warnings = scoring.cek_distribusi(
            definisi=aturan.definisi,
            predikat_organisasi=org.get(unit_id),
            jumlah=r["predikat"],
            dinilai_sebelum=sebelum.get(unit_id, 0),
        )
        out.append(
            {
                "unit_id": unit_id,
                "unit": r["unit"],
                "predikat_organisasi": org.get(unit_id, ""),
                "jumlah": r["predikat"],
                "peringatan": [w.as_dict() for w in warnings],
            }
        )
    return out


def _tindak_lanjut_preview(*, basis: str, params: dict[str, Any]) -> tuple[dict[str, int], int, Decimal]:
    src = f"(SELECT evaluasi_id, pegawai_id, predikat, %(hari_ini)s::date AS tanggal FROM ({basis}) bb WHERE bb.predikat <> '')"  # noqa: S608
    sql_tl = f"SELECT t.jenis, count(*) FROM ({tindak_lanjut_select(src)}) t GROUP BY t.jenis"  # noqa: S608
    sql_ak = f"SELECT count(*), COALESCE(sum(a.nilai), 0) FROM ({angka_kredit_select(src)}) a"  # noqa: S608
    tl = dict(_fetch(sql_tl, params))
    (n, total), *_ = _fetch(sql_ak, params)
    return tl, int(n), Decimal(total)


def _tindak_lanjut_actual(*, instansi_id: int, tahun: int) -> tuple[dict[str, int], int, Decimal]:
    tl = dict(
        _fetch(
            "SELECT jenis, count(*) FROM evaluasi_tindaklanjut WHERE instansi_id = %(instansi)s AND tahun = %(tahun)s GROUP BY jenis",
            {"instansi": instansi_id, "tahun": tahun},
        )
    )
    (n, total), *_ = _fetch(
        "SELECT count(*), COALESCE(sum(nilai), 0) FROM evaluasi_angkakredit WHERE instansi_id = %(instansi)s AND tahun = %(tahun)s",
        {"instansi": instansi_id, "tahun": tahun},
    )
    return tl, int(n), Decimal(total)


def ringkasan(
    *,
    rekap: dict[int, dict[str, Any]],
    distribusi: list[dict[str, Any]],
    tl: dict[str, int],
    ak_n: int,
    ak_total: Decimal,
) -> dict[str, Any]:
    jumlah = sum(r["jumlah"] for r in rekap.values())
    dinilai = sum(r["dinilai"] for r in rekap.values())
    return {
        "pegawai": jumlah,
        "dinilai": dinilai,
        "belum_dinilai": jumlah - dinilai,
        "final": dinilai,
        "predikat": {p: sum(r["predikat"][p] for r in rekap.values()) for p in scoring.PREDIKAT_ORDER},
        "unit": len(rekap),
        "unit_dengan_peringatan": sum(1 for d in distribusi if d["peringatan"]),
        "peringatan": sum(len(d["peringatan"]) for d in distribusi),
        "tindak_lanjut": {
            j: int(tl.get(j, 0)) for j in ("talent_pool", "pengembangan_kompetensi", "perbaikan_kinerja")
        },
        "angka_kredit": {"pegawai": ak_n, "jumlah": str(ak_total.quantize(Decimal("0.001")))},
    }


# ---------------------------------------------------------------------------------------------- the run


def tahunan_batch_run(*, job_id: int) -> dict[str, Any]:
    """Run or resume the year-end batch of ``job_id`` (params ``tahun``, ``dry_run``). See module docstring.
    Marks the job ``gagal`` (and re-raises) on any error; finished chunks stay finished."""
    job = Job.objects.select_related("instansi").get(pk=job_id)
    instansi: Instansi = job.instansi
    tahun = int(job.params["tahun"])
    dry = bool(job.params.get("dry_run"))
    try:
        return _run(job=job, instansi=instansi, tahun=tahun, dry=dry)
    except Exception as exc:
        logger.exception("Batch tahunan gagal (job %s)", job_id)
        job_fail(job_id=job_id, pesan=f"{type(exc).__name__}: {exc}")
        raise


def _run(*, job: Job, instansi: Instansi, tahun: int, dry: bool) -> dict[str, Any]:
    aturan = aturan_distribusi_for(instansi=instansi)
    params = {
        "instansi": instansi.pk, "tahun": tahun, "akhir": dt.date(tahun, 12, 31),
        "hari_ini": timezone.localdate(), "tz": settings.TIME_ZONE,
    }  # fmt: skip
    detail: dict[str, Any] = {
        "tahun": tahun,
        "dry_run": dry,
        "aturan": {"kode": aturan.kode, "versi": aturan.versi, "nama": aturan.nama},
    }
    plan = [] if dry else chunk_plan(instansi_id=instansi.pk)
    ronde = 0 if dry else ronde_aktif(instansi_id=instansi.pk, tahun=tahun)
    job_start(job_id=job.pk, total=2 * len(plan) + 3)
    chunk_info = {"total": len(plan), "ronde": ronde, "nilai_dilewati": 0, "final_dilewati": 0}
    detail["chunk"] = chunk_info  # same dict: progress updates carry the skip counters

    last_write = [time.monotonic()]

    def step(tahap: str, by: int = 1, *, force: bool = True) -> None:
        """Progress while ``detail`` is small (first chunk loop): the label at most once a second."""
        detail["tahap"] = tahap
        now = time.monotonic()
        if force or now - last_write[0] >= PROGRESS_DETAIL_SECONDS:
            job_advance(job_id=job.pk, by=by, detail=detail)
            last_write[0] = now
        else:
            job_advance(job_id=job.pk, by=by)

    # 1-2. rows, units, predikat (chunked).
    detail["tahap"] = "1/6 Rekap kelengkapan & predikat"
    job_set_detail(job_id=job.pk, detail=detail)
    for i, (dari, sampai) in enumerate(plan):
        done = chunk_nilai(
            instansi_id=instansi.pk,
            tahun=tahun,
            dari=dari,
            sampai=sampai,
            ronde=ronde,
            urutan=i,
            job_id=job.pk,
        )
        if done is None:
            chunk_info["nilai_dilewati"] += 1
        step(f"1/6 Rekap kelengkapan & predikat ({i + 1}/{len(plan)})", force=i + 1 == len(plan))

    # 1 + 2 (reads): completeness and predikat per unit. A dry run writes nothing it reads back: its
    # reads (steps 1-3) go to the read replica; a real run reads what it just wrote, on the primary.
    basis = _basis_dry() if dry else _basis_real()
    with read_replica() if dry else nullcontext():
        rekap = rekap_unit(basis=basis, params=params)
        belum = belum_dinilai(basis=basis, params=params)
        sebelum = dinilai_sebelum_per_unit(basis=basis, params=params)
    detail["kelengkapan"] = [
        {**{k: r[k] for k in ("unit_id", "unit", "jumlah", "dinilai")}, "belum": belum.get(uid, []),
         "belum_lebih": max(0, r["jumlah"] - r["dinilai"] - len(belum.get(uid, [])))}
        for uid, r in rekap.items()
    ]  # fmt: skip

    # 3. distribution check per unit. From here ``detail`` is large: written once now, for steps 2 and 3
    # (it then carries the per-unit results and the label of the step that runs next), and once at the end.
    distribusi = distribusi_per_unit(
        instansi=instansi,
        tahun=tahun,
        rekap=rekap,
        sebelum=sebelum,
    )
    detail["distribusi"] = distribusi
    detail["tahap"] = "4/6 Finalisasi & tindak lanjut" if plan else "3/6 Cek pola distribusi"
    job_advance(job_id=job.pk, by=2, detail=detail)

    # 4-5. finalise, follow-ups, angka kredit (chunked).
    final_at = ronde_final_at(instansi_id=instansi.pk, tahun=tahun, ronde=ronde)
    for i, (dari, sampai) in enumerate(plan):
        done = chunk_final(
            instansi_id=instansi.pk,
            tahun=tahun,
            dari=dari,
            sampai=sampai,
            final_at=final_at,
            ronde=ronde,
            urutan=i,
            job_id=job.pk,
        )
        if done is None:
            chunk_info["final_dilewati"] += 1
        job_advance(job_id=job.pk, by=1)  # the bar only: the large detail is written again at the end
    if dry:
        tl, ak_n, ak_total = _tindak_lanjut_preview(basis=basis, params=params)
    else:
        tl, ak_n, ak_total = _tindak_lanjut_actual(instansi_id=instansi.pk, tahun=tahun)
    detail["ringkasan"] = ringkasan(rekap=rekap, distribusi=distribusi, tl=tl, ak_n=ak_n, ak_total=ak_total)

    # 6. hand-off.
    if not dry:
        ronde_tutup(instansi_id=instansi.pk, tahun=tahun, ronde=ronde, job_id=job.pk)
        hooks.on_tahunan_finalised(instansi.pk, tahun)
        # By id: the starter may be a platform admin, whose account the tenant task cannot read (kinerja/rls.py).
        starter = User(pk=job.dibuat_oleh_id) if job.dibuat_oleh_id else None
        audit_log(
            actor=starter, instansi=instansi, action="evaluasi.tahunan.selesai", obj=job,
            after={"tahun": tahun, **detail["ringkasan"]},
        )  # fmt: skip
    detail["tahap"] = "6/6 Uji coba: tidak ada yang disimpan" if dry else "6/6 Serah dokumen & notifikasi"
    job_finish(job_id=job.pk, detail=detail)
    return detail
