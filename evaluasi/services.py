"""Evaluation writes: materialising evaluation rows, rating, unit performance, distribution reasons,
the instansi's rule-set choice, starting the year-end batch, and keberatan.

Every public function is keyword-only and audited; objects arrive resolved through ``evaluasi.access``
(404 for missing/other instansi). The batch itself lives in ``evaluasi.batch``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluasi import hooks, jendela, scoring
from evaluasi.models import (
    AlasanDeviasi,
    AturanDistribusi,
    Evaluasi,
    JenisEvaluasi,
    JenisLangkah,
    JenisTindakLanjut,
    Keberatan,
    KinerjaOrganisasi,
    LangkahTindakLanjut,
    PengaturanEvaluasi,
    StatusEvaluasi,
    StatusKeberatan,
    TindakLanjut,
)
from evaluasi.selectors import (
    ROLES_ADMIN,
    aturan_distribusi_for,
    boleh_tetapkan_predikat_organisasi,
    evaluasi_diterima,
    is_penilai,
    jendela_tahunan_for,
    peringatan_unit,
    umpan_balik_jumlah,
)
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Instansi, Job, PejabatNonAsn, Periode, UnitKerja, User
from kinerja.services.audit import audit_log
from kinerja.services.jobs import job_create
from kinerja.services.tenancy import periode_ensure_year
from kinerja.services.versi import versi_cek
from kinerja.tenancy import pegawai_of

MAX_TEKS = 5000
JOB_TAHUNAN = "evaluasi_tahunan"

# ---------------------------------------------------------------------------------------------- materialise

_FILTER_IDS = "AND s.pegawai_id = ANY(%(ids)s)"
# The range also limits ``p`` (the pegawai JOIN): without it every chunk hashed the whole instansi's pegawai.
_FILTER_RANGE = (
    "AND s.pegawai_id >= %(dari)s AND s.pegawai_id < %(sampai)s AND p.id >= %(dari)s AND p.id < %(sampai)s"
)


def _pegawai_filter(
    pegawai_ids: list[int] | None, id_dari: int | None, id_sampai: int | None
) -> tuple[str, dict[str, Any]]:
    if id_dari is not None and id_sampai is not None:
        return _FILTER_RANGE, {"dari": id_dari, "sampai": id_sampai}
    if pegawai_ids is not None:
        return _FILTER_IDS, {"ids": list(pegawai_ids)}
    return "", {}


@transaction.atomic
def periode_siapkan(*, instansi: Instansi, tahun: int) -> list[Periode]:
    """The periods of ``tahun`` in the instansi's cycle, created if missing (idempotent), in order."""
    return periode_ensure_year(instansi=instansi, tahun=tahun)


def evaluasi_periodik_ensure(*, instansi: Instansi, tahun: int, pegawai_ids: list[int] | None = None) -> int:
    """Create the missing periodic evaluation rows of ``tahun``: one per approved SKP stint and period
    of the instansi's cycle that overlaps it. One INSERT ... SELECT ... ON CONFLICT DO NOTHING
    (unique (instansi, skp, periode)); ``pegawai_ids`` limits it (None = everyone). Returns rows created.
    Not audited: rows without ratings are a materialised view of approved SKPs, not a decision."""
    periode_ensure_year(instansi=instansi, tahun=tahun)
    if pegawai_ids is not None and not pegawai_ids:
        return 0
    where, params = _pegawai_filter(pegawai_ids, None, None)
    sql = f"""
        INSERT INTO evaluasi_evaluasi (
            instansi_id, jenis, tahun, periode_id, pegawai_id, skp_id, pejabat_penilai_id,
            pejabat_penilai_non_asn_id, unit_kerja_id,
            rating_hasil_kerja, rating_perilaku_kerja, predikat, justifikasi, status, created_at, updated_at)
        SELECT s.instansi_id, 'periodik', pr.tahun, pr.id, s.pegawai_id, s.id, s.pejabat_penilai_id,
               s.pejabat_penilai_non_asn_id, p.unit_kerja_id, '', '', '', '', 'belum_dinilai', %(now)s, %(now)s
        FROM skp_skp s
        JOIN kinerja_pegawai p ON p.id = s.pegawai_id AND p.instansi_id = s.instansi_id
        JOIN kinerja_periode pr ON pr.instansi_id = s.instansi_id AND pr.tahun = s.tahun
             AND pr.siklus = %(siklus)s AND pr.mulai <= s.periode_selesai AND pr.selesai >= s.periode_mulai
        WHERE s.instansi_id = %(instansi)s AND s.tahun = %(tahun)s AND s.status = 'disetujui' AND p.aktif {where}
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - only fixed fragments are interpolated
    with connection.cursor() as cur:
        cur.execute(
            sql,
            {
                "instansi": instansi.pk,
                "tahun": tahun,
                "siklus": instansi.siklus,
                "now": timezone.now(),
                **params,
            },
        )
        return cur.rowcount


def tahunan_best_stint_sql(where: str) -> str:
    """Per pegawai, the approved SKP stint of the year that covers 31 December (else the latest one)."""
    return f"""
        SELECT DISTINCT ON (s.pegawai_id) s.pegawai_id, s.id AS skp_id, s.pejabat_penilai_id,
               s.pejabat_penilai_non_asn_id, p.unit_kerja_id
        FROM skp_skp s
        JOIN kinerja_pegawai p ON p.id = s.pegawai_id AND p.instansi_id = s.instansi_id
        WHERE s.instansi_id = %(instansi)s AND s.tahun = %(tahun)s AND s.status = 'disetujui' AND p.aktif {where}
        ORDER BY s.pegawai_id, (s.periode_selesai >= %(akhir)s) DESC, s.periode_selesai DESC, s.id DESC
    """  # noqa: S608


def evaluasi_tahunan_ensure_sql(where: str) -> str:
    """Insert missing annual rows and re-point not-yet-rated ones at the current best stint, one statement.

    ``cur`` looks each pegawai's annual row up once (an index lookup by pegawai), so the INSERT
    only sees pegawai without one (``ON CONFLICT DO NOTHING`` stays for concurrent inserts) and the UPDATE
    only the not-yet-rated rows whose stint changed, instead of a conflict check per existing row and a
    second lookup per pegawai."""
    return f"""
        WITH best AS ({tahunan_best_stint_sql(where)}),
        cur AS MATERIALIZED (
            SELECT b.pegawai_id, b.skp_id, b.pejabat_penilai_id, b.pejabat_penilai_non_asn_id,
                   b.unit_kerja_id, e.id AS evaluasi_id,
                   e.status AS e_status, e.skp_id AS e_skp_id, e.pejabat_penilai_id AS e_penilai_id,
                   e.pejabat_penilai_non_asn_id AS e_penilai_na_id, e.unit_kerja_id AS e_unit_kerja_id
            FROM best b
            LEFT JOIN evaluasi_evaluasi e
                   ON e.instansi_id = %(instansi)s AND e.jenis = 'tahunan' AND e.tahun = %(tahun)s
                  AND e.pegawai_id = b.pegawai_id
        ),
        ins AS (
            INSERT INTO evaluasi_evaluasi (
                instansi_id, jenis, tahun, periode_id, pegawai_id, skp_id, pejabat_penilai_id,
                pejabat_penilai_non_asn_id, unit_kerja_id,
                rating_hasil_kerja, rating_perilaku_kerja, predikat, justifikasi, status, created_at, updated_at)
            SELECT %(instansi)s, 'tahunan', %(tahun)s, NULL, b.pegawai_id, b.skp_id, b.pejabat_penilai_id,
                   b.pejabat_penilai_non_asn_id, b.unit_kerja_id, '', '', '', '', 'belum_dinilai', %(now)s, %(now)s
            FROM cur b
            WHERE b.evaluasi_id IS NULL
            ON CONFLICT DO NOTHING
            RETURNING 1
        ),
        upd AS (
            UPDATE evaluasi_evaluasi e
            SET skp_id = b.skp_id, pejabat_penilai_id = b.pejabat_penilai_id,
                pejabat_penilai_non_asn_id = b.pejabat_penilai_non_asn_id, unit_kerja_id = b.unit_kerja_id,
                updated_at = %(now)s
            FROM cur b
            WHERE b.e_status = 'belum_dinilai'
              AND (b.e_skp_id, b.e_penilai_id, b.e_penilai_na_id, b.e_unit_kerja_id)
                  IS DISTINCT FROM (b.skp_id, b.pejabat_penilai_id, b.pejabat_penilai_non_asn_id, b.unit_kerja_id)
              AND e.id = b.evaluasi_id
              AND e.instansi_id = %(instansi)s AND e.jenis = 'tahunan' AND e.tahun = %(tahun)s
              AND e.pegawai_id = b.pegawai_id AND e.status = 'belum_dinilai'
              AND (e.skp_id, e.pejabat_penilai_id, e.pejabat_penilai_non_asn_id, e.unit_kerja_id)
                  IS DISTINCT FROM (b.skp_id, b.pejabat_penilai_id, b.pejabat_penilai_non_asn_id, b.unit_kerja_id)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd)
    """  # noqa: S608


def tahunan_ensure_execute(
    *,
    instansi_id: int,
    tahun: int,
    pegawai_ids: list[int] | None = None,
    id_dari: int | None = None,
    id_sampai: int | None = None,
) -> tuple[int, int]:
    """Run the annual ensure statement in the caller's transaction. Returns (created, re-pointed)."""
    where, params = _pegawai_filter(pegawai_ids, id_dari, id_sampai)
    with connection.cursor() as cur:
        cur.execute(
            evaluasi_tahunan_ensure_sql(where),
            {
                "instansi": instansi_id,
                "tahun": tahun,
                "akhir": dt.date(tahun, 12, 31),
                "now": timezone.now(),
                **params,
            },
        )
        created, moved = cur.fetchone()
    return int(created), int(moved)


@transaction.atomic
def evaluasi_tahunan_ensure(*, instansi: Instansi, tahun: int, pegawai_ids: list[int] | None = None) -> int:
    """Create the missing annual evaluation rows (unique (instansi, pegawai, tahun)), set-based.

    The row belongs to the Pejabat Penilai of the stint covering 31 December (product decision);
    rows not yet rated follow a later stint (mutasi) automatically. Returns rows created."""
    if pegawai_ids is not None and not pegawai_ids:
        return 0
    created, _moved = tahunan_ensure_execute(instansi_id=instansi.pk, tahun=tahun, pegawai_ids=pegawai_ids)
    return created


def _ensure_fingerprint(*, instansi: Instansi, tahun: int) -> tuple[Any, ...]:
    """What the rows of a whole instansi-year depend on, in one cheap query: the approved SKPs of the
    year (count, newest change), the pegawai (newest change: mutasi, aktif), the cycle, and how many
    evaluation rows exist (so a fresh database never matches an old cache entry)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT (SELECT count(*) FROM skp_skp WHERE instansi_id = %(i)s AND tahun = %(t)s AND status = 'disetujui'),
                   (SELECT max(updated_at) FROM skp_skp WHERE instansi_id = %(i)s AND tahun = %(t)s),
                   (SELECT max(updated_at) FROM kinerja_pegawai WHERE instansi_id = %(i)s),
                   (SELECT count(*) FROM evaluasi_evaluasi WHERE instansi_id = %(i)s AND tahun = %(t)s)
            """,
            {"i": instansi.pk, "t": tahun},
        )
        row = cur.fetchone()
    return (instansi.siklus, *(str(v) for v in row))


def evaluasi_ensure(*, instansi: Instansi, tahun: int, pegawai_ids: list[int] | None = None) -> None:
    """Both kinds for a year (used on first access by lists and pages). For the whole instansi
    (``pegawai_ids`` None: admin lists and reports) the two statements are skipped while nothing they
    depend on changed since the last run (a fingerprint in the cache, keyed by database)."""
    key = None
    if pegawai_ids is None:
        key = f"evaluasi:ensure:{connection.settings_dict['NAME']}:{instansi.pk}:{tahun}"
        if cache.get(key) == _ensure_fingerprint(instansi=instansi, tahun=tahun):
            return
    evaluasi_periodik_ensure(instansi=instansi, tahun=tahun, pegawai_ids=pegawai_ids)
    evaluasi_tahunan_ensure(instansi=instansi, tahun=tahun, pegawai_ids=pegawai_ids)
    if key is not None:
        cache.set(key, _ensure_fingerprint(instansi=instansi, tahun=tahun), timeout=24 * 3600)


# ---------------------------------------------------------------------------------------------- rating


def _pesan_konflik() -> str:
    return _(
        "Penilaian ini telah diubah orang lain atau di tab lain sejak halaman Anda dimuat. "
        "Muat ulang untuk melihat penilaian terbaru, lalu simpan lagi bila perlu."
    )


def _lock(evaluasi_id: int) -> Evaluasi:
    """Lock the evaluation row (single-table query, no JOIN, so FOR UPDATE is safe with scopes)."""
    return Evaluasi.objects.select_for_update().get(pk=evaluasi_id)


@transaction.atomic
def evaluasi_nilai(
    *,
    actor: User,
    evaluasi: Evaluasi,
    rating_hasil_kerja: str,
    rating_perilaku_kerja: str,
    justifikasi: str = "",
    versi: int | None = None,
) -> Evaluasi:
    """The Pejabat Penilai (direct or delegated) sets both ratings; the predikat comes from the matrix.

    404 for anyone else; 409 once final (locked by the year-end batch) or before the period starts;
    409 (``Conflict`` with the current ``versi``) when ``versi``, the version the rater was looking at,
    is stale: of concurrent ratings from the same version exactly one wins (the row is locked, checked
    and bumped in one transaction). ``versi`` None (old API clients) is not checked but still bumps.
    400 with a ``justifikasi`` field error when the pegawai received no feedback in the period and no
    justification is given. Re-rating before finalisation is allowed and audited (before/after)."""
    if not is_penilai(user=actor, evaluasi=evaluasi):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    if rating_hasil_kerja not in scoring.RATING_ORDER:
        errors["rating_hasil_kerja"] = [_("Pilih di atas, sesuai, atau di bawah ekspektasi.")]
    if rating_perilaku_kerja not in scoring.RATING_ORDER:
        errors["rating_perilaku_kerja"] = [_("Pilih di atas, sesuai, atau di bawah ekspektasi.")]
    justifikasi = (justifikasi or "").strip()
    if len(justifikasi) > MAX_TEKS:
        errors["justifikasi"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
    if errors:
        raise ApplicationError(_("Penilaian tidak valid."), errors=errors)
    locked = _lock(evaluasi.pk)
    if locked.status == StatusEvaluasi.FINAL:
        raise InvalidTransition(
            _("Evaluasi ini sudah final dan terkunci; perubahan hanya melalui keberatan.")
        )
    if evaluasi.periode is not None and evaluasi.periode.mulai > timezone.localdate():
        raise InvalidTransition(_("Periode ini belum dimulai; penilaian belum dapat diberikan."))
    if locked.jenis == JenisEvaluasi.TAHUNAN:
        _jendela_cek(instansi=evaluasi.instansi, tahun=locked.tahun)
    if Keberatan.objects.filter(instansi_id=locked.instansi_id, evaluasi_id=locked.pk).exists():
        raise InvalidTransition(
            _(
                "Pegawai sudah mengajukan keberatan atas hasil ini; perubahan hanya melalui keputusan keberatan."
            )
        )
    versi_cek(sekarang=locked.versi, diharapkan=versi, pesan=_pesan_konflik())
    jumlah = umpan_balik_jumlah(evaluasi=evaluasi)
    if jumlah == 0 and not justifikasi:
        raise ApplicationError(
            _("Belum ada umpan balik dalam periode ini: tuliskan justifikasi penilaian."),
            errors={
                "justifikasi": [
                    _("Wajib diisi karena pegawai belum menerima umpan balik apa pun dalam periode ini.")
                ]
            },
        )
    before = {
        "rating_hasil_kerja": locked.rating_hasil_kerja,
        "rating_perilaku_kerja": locked.rating_perilaku_kerja,
        "predikat": locked.predikat,
        "justifikasi": locked.justifikasi,
    }
    locked.rating_hasil_kerja = rating_hasil_kerja
    locked.rating_perilaku_kerja = rating_perilaku_kerja
    locked.predikat = scoring.predikat(rating_hasil_kerja, rating_perilaku_kerja)
    locked.justifikasi = justifikasi
    locked.jumlah_umpan_balik = jumlah
    locked.status = StatusEvaluasi.DINILAI
    locked.dinilai_oleh = actor
    locked.dinilai_at = timezone.now()
    if locked.jenis == JenisEvaluasi.PERIODIK:
        # delivered to the pegawai now: the keberatan days count from here (domain.md "Keberatan on periodic
        # results"); a re-rating delivers a new result, so the days start again
        locked.diterima_at = locked.dinilai_at
    locked.versi += 1
    locked.save(
        update_fields=[
            "diterima_at",
            "versi",
            "rating_hasil_kerja",
            "rating_perilaku_kerja",
            "predikat",
            "justifikasi",
            "jumlah_umpan_balik",
            "status",
            "dinilai_oleh",
            "dinilai_at",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action=f"evaluasi.nilai_{locked.jenis}",
        obj=locked,
        before=before,
        after={
            "rating_hasil_kerja": rating_hasil_kerja,
            "rating_perilaku_kerja": rating_perilaku_kerja,
            "predikat": locked.predikat,
            "justifikasi": justifikasi,
            "jumlah_umpan_balik": jumlah,
        },
    )
    hooks.on_evaluasi_dinilai(locked)
    return locked


def tanggal_id(tanggal: dt.date) -> str:
    """A date as the pages print it in the active language (e.g. "1 Desember 2026")."""
    from django.utils.formats import date_format

    return date_format(tanggal, "j F Y")


def _jendela_cek(*, instansi: Instansi, tahun: int) -> None:
    """409 outside the instansi's annual window (domain.md "Annual window"; PP 30/2019, S001), naming it."""
    j = jendela_tahunan_for(instansi=instansi, tahun=tahun)
    st = j.status(timezone.localdate())
    if st == jendela.StatusJendela.BUKA:
        return
    teks = {"tahun": tahun, "buka": tanggal_id(j.buka), "tutup": tanggal_id(j.tutup)}
    if st == jendela.StatusJendela.BELUM:
        pesan = _(
            "Penilaian tahunan %(tahun)d belum dibuka: jendela penilaian tahunan %(buka)s sampai %(tutup)s."
        )
    else:
        pesan = _(
            "Penilaian tahunan %(tahun)d sudah ditutup: jendela penilaian tahunan %(buka)s sampai %(tutup)s."
        )
    raise InvalidTransition(
        pesan % teks, extra={"jendela": {"buka": j.buka.isoformat(), "tutup": j.tutup.isoformat()}}
    )


# ---------------------------------------------------------------------------------------------- unit performance


def _periode_tahun_ok(*, tahun: int, periode: Periode | None) -> None:
    if periode is not None and periode.tahun != tahun:
        raise ApplicationError(
            _("Periode tidak sesuai tahun."), errors={"periode": [_("Periode di luar tahun ini.")]}
        )


@transaction.atomic
def kinerja_organisasi_set(
    *,
    actor: User,
    roles: list[str],
    instansi: Instansi,
    unit: UnitKerja,
    tahun: int,
    periode: Periode | None,
    predikat: str,
    justifikasi: str,
) -> KinerjaOrganisasi:
    """The leader above the unit (or the admin) sets the unit's predikat kinerja organisasi for a period
    (``periode`` None = the year) with a required justification. Upsert; audited with before/after."""
    if not boleh_tetapkan_predikat_organisasi(user=actor, roles=roles, unit=unit):
        raise NotFoundOrForbidden()
    _periode_tahun_ok(tahun=tahun, periode=periode)
    errors: dict[str, list[str]] = {}
    if predikat not in scoring.PREDIKAT_ORGANISASI_ORDER:
        errors["predikat"] = [_("Pilih predikat kinerja organisasi.")]
    justifikasi = (justifikasi or "").strip()
    if not justifikasi:
        errors["justifikasi"] = [_("Tuliskan dasar penetapan predikat organisasi.")]
    elif len(justifikasi) > MAX_TEKS:
        errors["justifikasi"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
    if errors:
        raise ApplicationError(_("Predikat organisasi tidak valid."), errors=errors)
    obj, created = KinerjaOrganisasi.objects.select_for_update().get_or_create(
        instansi=instansi,
        unit_kerja=unit,
        tahun=tahun,
        periode=periode,
        defaults={"predikat": predikat, "justifikasi": justifikasi, "ditetapkan_oleh": actor},
    )
    before = None if created else {"predikat": obj.predikat, "justifikasi": obj.justifikasi}
    if not created:
        obj.predikat, obj.justifikasi, obj.ditetapkan_oleh = predikat, justifikasi, actor
        obj.save(update_fields=["predikat", "justifikasi", "ditetapkan_oleh", "updated_at"])
    audit_log(
        actor=actor,
        instansi=instansi,
        action="evaluasi.predikat_organisasi",
        obj=obj,
        before=before,
        after={
            "unit": unit.pk,
            "tahun": tahun,
            "periode": periode.pk if periode else None,
            "predikat": predikat,
            "justifikasi": justifikasi,
        },
    )
    return obj


@transaction.atomic
def alasan_deviasi_set(
    *,
    actor: User,
    roles: list[str],
    instansi: Instansi,
    unit: UnitKerja,
    tahun: int,
    periode: Periode | None,
    kode: str,
    alasan: str,
) -> AlasanDeviasi:
    """Record the written reason for one current distribution warning of the unit (never a block)."""
    if not boleh_tetapkan_predikat_organisasi(user=actor, roles=roles, unit=unit):
        raise NotFoundOrForbidden()
    _periode_tahun_ok(tahun=tahun, periode=periode)
    current = {p.kode: p for p in peringatan_unit(instansi=instansi, unit=unit, tahun=tahun, periode=periode)}
    if kode not in current:
        raise ApplicationError(
            _("Peringatan ini tidak (lagi) berlaku."), errors={"kode": [_("Tidak dikenal.")]}
        )
    alasan = (alasan or "").strip()
    if not alasan:
        raise ApplicationError(
            _("Alasan wajib diisi."), errors={"alasan": [_("Tuliskan alasan penyimpangan.")]}
        )
    if len(alasan) > MAX_TEKS:
        raise ApplicationError(
            _("Alasan terlalu panjang."),
            errors={"alasan": [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]},
        )
    aturan = aturan_distribusi_for(instansi=instansi)
    obj, created = AlasanDeviasi.objects.select_for_update().get_or_create(
        instansi=instansi,
        unit_kerja=unit,
        tahun=tahun,
        periode=periode,
        kode=kode,
        defaults={"alasan": alasan, "pesan": current[kode].pesan, "aturan": aturan, "ditulis_oleh": actor},
    )
    before = None if created else {"alasan": obj.alasan}
    if not created:
        obj.alasan, obj.pesan, obj.aturan, obj.ditulis_oleh = alasan, current[kode].pesan, aturan, actor
        obj.save(update_fields=["alasan", "pesan", "aturan", "ditulis_oleh", "updated_at"])
    audit_log(
        actor=actor,
        instansi=instansi,
        action="evaluasi.alasan_deviasi",
        obj=obj,
        before=before,
        after={"unit": unit.pk, "kode": kode, "alasan": alasan, "aturan": f"{aturan.kode} v{aturan.versi}"},
    )
    return obj


@transaction.atomic
def pengaturan_aturan_set(
    *, actor: User, roles: list[str], instansi: Instansi, aturan: AturanDistribusi | None
) -> PengaturanEvaluasi:
    """admin_instansi chooses the distribution rule set (None = the default SE 3/2023). Audited."""
    if not ROLES_ADMIN & set(roles):
        raise NotFoundOrForbidden()
    if aturan is not None and not aturan.aktif:
        raise ApplicationError(
            _("Aturan ini tidak aktif."), errors={"aturan": [_("Pilih aturan yang aktif.")]}
        )
    obj, _created = PengaturanEvaluasi.objects.select_for_update().get_or_create(instansi=instansi)
    before = {"aturan": obj.aturan_distribusi_id}
    obj.aturan_distribusi = aturan
    obj.save(update_fields=["aturan_distribusi", "updated_at"])
    audit_log(
        actor=actor, instansi=instansi, action="evaluasi.aturan_distribusi", obj=obj, before=before,
        after={"aturan": aturan.pk if aturan else None},
    )  # fmt: skip
    return obj


@transaction.atomic
def pengaturan_jendela_set(
    *,
    actor: User,
    roles: list[str],
    instansi: Instansi,
    buka_bulan: int,
    buka_tanggal: int,
    tutup_bulan: int,
    tutup_tanggal: int,
) -> PengaturanEvaluasi:
    """admin_instansi sets the annual rating window (domain.md "Annual window": configurable per instansi;
    default 1 December .. 31 January). A close before the open in the calendar wraps to the next year. Audited."""
    if not ROLES_ADMIN & set(roles):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    if not jendela.validasi_bulan_hari(buka_bulan, buka_tanggal):
        errors["buka_tanggal"] = [_("Tanggal tidak ada dalam bulan itu.")]
    if not jendela.validasi_bulan_hari(tutup_bulan, tutup_tanggal):
        errors["tutup_tanggal"] = [_("Tanggal tidak ada dalam bulan itu.")]
    if not errors and (buka_bulan, buka_tanggal) == (tutup_bulan, tutup_tanggal):
        errors["tutup_tanggal"] = [_("Jendela harus lebih dari satu hari.")]
    if errors:
        raise ApplicationError(_("Jendela penilaian tahunan tidak valid."), errors=errors)
    obj, _created = PengaturanEvaluasi.objects.select_for_update().get_or_create(instansi=instansi)
    fields = ["jendela_buka_bulan", "jendela_buka_tanggal", "jendela_tutup_bulan", "jendela_tutup_tanggal"]
    before = {f: getattr(obj, f) for f in fields}
    obj.jendela_buka_bulan, obj.jendela_buka_tanggal = buka_bulan, buka_tanggal
    obj.jendela_tutup_bulan, obj.jendela_tutup_tanggal = tutup_bulan, tutup_tanggal
    obj.save(update_fields=[*fields, "updated_at"])
    audit_log(
        actor=actor, instansi=instansi, action="evaluasi.jendela_tahunan", obj=obj, before=before,
        after={f: getattr(obj, f) for f in fields},
    )  # fmt: skip
    return obj


# ---------------------------------------------------------------------------------------------- year-end batch


@transaction.atomic
def tahunan_batch_start(
    *,
    actor: User,
    roles: list[str],
    instansi: Instansi,
    tahun: int,
    dry_run: bool,
    paksa: bool = False,
    alasan: str = "",
) -> Job:
    """admin_instansi starts the December batch for ``tahun``: records a Job and enqueues the Celery task
    on commit (``enqueue_safely``: with the queue down the job waits and is re-queued later). Safe to
    start again (the batch resumes unfinished chunks and is idempotent).

    The annual window (domain.md "Annual window", ``evaluasi.jendela.batch_boleh``): a real run before the
    window opens is refused (409) unless ``paksa`` with a written ``alasan`` (400 without one); the forced
    start is audited with the reason. Dry runs are always allowed; after the close a real run is allowed."""
    if not ROLES_ADMIN & set(roles):
        raise NotFoundOrForbidden()
    if not 2000 <= tahun <= 2100:
        raise ApplicationError(
            _("Tahun tidak valid."), errors={"tahun": [_("Tahun harus antara 2000 dan 2100.")]}
        )
    alasan = (alasan or "").strip()
    j = jendela_tahunan_for(instansi=instansi, tahun=tahun)
    keputusan = jendela.batch_boleh(jendela=j, tanggal=timezone.localdate(), dry_run=dry_run, paksa=paksa)
    if not keputusan.boleh:
        raise InvalidTransition(
            _(
                "Jendela penilaian tahunan %(tahun)d baru dibuka %(buka)s (sampai %(tutup)s): finalisasi sebelum "
                "itu hanya dengan paksa dan alasan tertulis."
            )
            % {"tahun": tahun, "buka": tanggal_id(j.buka), "tutup": tanggal_id(j.tutup)},
            extra={"jendela": {"buka": j.buka.isoformat(), "tutup": j.tutup.isoformat()}},
        )
    if keputusan.perlu_paksa:
        if not alasan:
            raise ApplicationError(
                _("Alasan wajib diisi untuk memaksa finalisasi sebelum jendela penilaian tahunan dibuka."),
                errors={"alasan": [_("Tuliskan alasan memaksa finalisasi sebelum jendela dibuka.")]},
            )
        if len(alasan) > MAX_TEKS:
            raise ApplicationError(
                _("Alasan terlalu panjang."),
                errors={"alasan": [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]},
            )
    params: dict[str, Any] = {"tahun": tahun, "dry_run": bool(dry_run)}
    if keputusan.perlu_paksa:
        params.update(paksa=True, alasan=alasan)
    job = job_create(actor=actor, instansi=instansi, jenis=JOB_TAHUNAN, params=params)
    if keputusan.perlu_paksa:
        audit_log(
            actor=actor,
            instansi=instansi,
            action="evaluasi.tahunan_paksa",
            obj=job,
            after={
                "tahun": tahun,
                "alasan": alasan,
                "jendela_buka": j.buka.isoformat(),
                "jendela_tutup": j.tutup.isoformat(),
            },
        )
    from evaluasi.tasks import tahunan_batch_task
    from kinerja.tasks import enqueue_safely

    instansi_id, job_id = instansi.pk, job.pk
    # Queue down (Redis): the job stays ``antri`` "waiting for the queue" and the page that polls it
    # re-queues it once the queue is back (kinerja.services.jobs.job_requeue_waiting); no 503.
    transaction.on_commit(lambda: enqueue_safely(tahunan_batch_task, instansi_id, job_id, job_id=job_id))
    return job


# ---------------------------------------------------------------------------------------------- keberatan


def keberatan_batas(*, evaluasi: Evaluasi) -> dt.date | None:
    """Last day (tenant-local calendar date) an objection may be filed, or None while not delivered: the
    delivery date (periodic: rated; annual: final) + ``Instansi.keberatan_hari`` (``jendela.keberatan_batas``)."""
    return jendela.keberatan_batas(
        diterima=evaluasi_diterima(evaluasi=evaluasi), hari=evaluasi.instansi.keberatan_hari
    )


def keberatan_pemutus_untuk(*, evaluasi: Evaluasi) -> Any:
    """The atasan of the Pejabat Penilai: a pegawai, or a non-ASN official (issue #16) when the Pejabat
    Penilai is rated by one (None → an admin of the instansi decides, also when the Pejabat Penilai is
    itself a non-ASN official)."""
    penilai = evaluasi.pejabat_penilai
    if penilai is None:
        return None
    if penilai.atasan_id:
        return penilai.atasan
    return penilai.penilai_non_asn if penilai.penilai_non_asn_id else None


@transaction.atomic
def keberatan_ajukan(*, actor: User, evaluasi: Evaluasi, alasan: str) -> Keberatan:
    """The pegawai objects to a delivered result within ``Instansi.keberatan_hari`` calendar days of its
    delivery (domain.md "Keberatan on periodic results": a periodic result from its rating, an annual one
    from finalisation). One objection per evaluation. Audited."""
    own = pegawai_of(actor)
    if own is None or own.pk != evaluasi.pegawai_id:
        raise NotFoundOrForbidden()
    locked = _lock(evaluasi.pk)
    batas = keberatan_batas(evaluasi=locked)
    if batas is None or locked.status == StatusEvaluasi.BELUM_DINILAI:
        if locked.jenis == JenisEvaluasi.TAHUNAN:
            pesan = _("Keberatan atas evaluasi tahunan dapat diajukan setelah hasilnya ditetapkan (final).")
        else:
            pesan = _("Keberatan dapat diajukan setelah Pejabat Penilai memberikan penilaian.")
        raise InvalidTransition(pesan)
    if timezone.localdate() > batas:
        raise InvalidTransition(
            _("Batas waktu pengajuan keberatan (%(hari)d hari setelah hasil diterima) telah lewat.")
            % {"hari": evaluasi.instansi.keberatan_hari}
        )
    if Keberatan.objects.filter(instansi_id=locked.instansi_id, evaluasi=locked).exists():
        raise InvalidTransition(_("Keberatan atas evaluasi ini sudah pernah diajukan."))
    alasan = (alasan or "").strip()
    if not alasan:
        raise ApplicationError(
            _("Alasan keberatan wajib diisi."), errors={"alasan": [_("Tuliskan alasan keberatan.")]}
        )
    if len(alasan) > MAX_TEKS:
        raise ApplicationError(
            _("Alasan terlalu panjang."),
            errors={"alasan": [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]},
        )
    pemutus = keberatan_pemutus_untuk(evaluasi=evaluasi)
    non_asn = isinstance(pemutus, PejabatNonAsn)
    obj = Keberatan.objects.create(
        instansi_id=locked.instansi_id,
        evaluasi=locked,
        pegawai_id=locked.pegawai_id,
        pemutus=None if non_asn else pemutus,
        pemutus_non_asn=pemutus if non_asn else None,
        alasan=alasan,
        predikat_semula=locked.predikat,
        rating_hasil_kerja_semula=locked.rating_hasil_kerja,
        rating_perilaku_kerja_semula=locked.rating_perilaku_kerja,
    )
    from evaluasi.hooks import notify_satu

    notify_satu(
        instansi_id=locked.instansi_id,
        penerima=pemutus.user if pemutus is not None else None,
        judul=_("Keberatan atas evaluasi kinerja %(nama)s") % {"nama": evaluasi.pegawai.nama},
        pesan=alasan[:500],
        tautan=f"/evaluasi/keberatan/{obj.pk}/",
        aktor=actor,
    )
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="keberatan.ajukan",
        obj=obj,
        after={
            "evaluasi": locked.pk,
            "predikat": locked.predikat,
            "pemutus": pemutus.pk if pemutus and not non_asn else None,
            "pemutus_non_asn": pemutus.pk if non_asn else None,
            "alasan": alasan,
        },
    )
    return obj


@transaction.atomic
def keberatan_putus(
    *,
    actor: User,
    keberatan: Keberatan,
    terima: bool,
    catatan: str,
    rating_hasil_kerja: str = "",
    rating_perilaku_kerja: str = "",
    predikat_baru: str = "",
) -> Keberatan:
    """The atasan of the Pejabat Penilai decides: accept with new ratings (issue #17: the evaluation shows
    them and its predikat is their matrix cell, domain §6.4; annual follow-ups are recomputed) or reject
    with reasons. ``predikat_baru`` is never chosen: when a client still sends it, it must be the matrix
    cell of the new ratings (400 otherwise). Audited on both rows."""
    locked = Keberatan.objects.select_for_update().get(pk=keberatan.pk)
    if locked.status != StatusKeberatan.DIAJUKAN:
        raise InvalidTransition(_("Keberatan ini sudah diputus."))
    catatan = (catatan or "").strip()
    errors: dict[str, list[str]] = {}
    if not catatan:
        errors["catatan"] = [_("Tuliskan alasan keputusan.")]
    elif len(catatan) > MAX_TEKS:
        errors["catatan"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
    evaluasi = _lock(locked.evaluasi_id)
    baru = ""
    if terima:
        if rating_hasil_kerja not in scoring.RATING_ORDER:
            errors["rating_hasil_kerja"] = [_("Pilih rating hasil kerja yang baru.")]
        if rating_perilaku_kerja not in scoring.RATING_ORDER:
            errors["rating_perilaku_kerja"] = [_("Pilih rating perilaku kerja yang baru.")]
        if "rating_hasil_kerja" not in errors and "rating_perilaku_kerja" not in errors:
            baru = scoring.predikat(rating_hasil_kerja, rating_perilaku_kerja)
            if (rating_hasil_kerja, rating_perilaku_kerja) == (
                evaluasi.rating_hasil_kerja,
                evaluasi.rating_perilaku_kerja,
            ):
                errors["rating_hasil_kerja"] = [
                    _(
                        "Keberatan yang diterima mengubah rating; ubah sedikitnya satu rating atau tolak keberatan."
                    )
                ]
            elif predikat_baru and predikat_baru != baru:
                errors["predikat_baru"] = [
                    _("Predikat mengikuti matriks dari rating: rating ini menghasilkan %(p)s.")
                    % {"p": scoring.Predikat(baru).label}
                ]
    if errors:
        raise ApplicationError(_("Keputusan keberatan tidak valid."), errors=errors)
    locked.status = StatusKeberatan.DITERIMA if terima else StatusKeberatan.DITOLAK
    locked.predikat_baru = baru
    locked.rating_hasil_kerja_baru = rating_hasil_kerja if terima else ""
    locked.rating_perilaku_kerja_baru = rating_perilaku_kerja if terima else ""
    locked.catatan_keputusan = catatan
    locked.diputus_oleh = actor
    locked.diputus_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "predikat_baru",
            "rating_hasil_kerja_baru",
            "rating_perilaku_kerja_baru",
            "catatan_keputusan",
            "diputus_oleh",
            "diputus_at",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action=f"keberatan.{locked.status}",
        obj=locked,
        before={
            "status": StatusKeberatan.DIAJUKAN,
            "predikat": locked.predikat_semula,
            "rating_hasil_kerja": evaluasi.rating_hasil_kerja,
            "rating_perilaku_kerja": evaluasi.rating_perilaku_kerja,
        },
        after={
            "status": locked.status,
            "predikat": baru or locked.predikat_semula,
            "rating_hasil_kerja": rating_hasil_kerja if terima else evaluasi.rating_hasil_kerja,
            "rating_perilaku_kerja": rating_perilaku_kerja if terima else evaluasi.rating_perilaku_kerja,
            "catatan": catatan,
        },
    )
    from evaluasi.hooks import notify_satu

    notify_satu(
        instansi_id=locked.instansi_id,
        penerima=evaluasi.pegawai.user,
        judul=_("Keberatan Anda %(status)s") % {"status": locked.get_status_display().lower()},
        pesan=catatan[:500],
        tautan=f"/evaluasi/{evaluasi.pk}/",
        aktor=actor,
    )
    # the decision changes what the evaluation's document shows: a new version either way
    evaluasi.versi += 1
    if not terima:
        evaluasi.save(update_fields=["versi", "updated_at"])
    if terima:
        before = {
            "rating_hasil_kerja": evaluasi.rating_hasil_kerja,
            "rating_perilaku_kerja": evaluasi.rating_perilaku_kerja,
            "predikat": evaluasi.predikat,
        }
        evaluasi.rating_hasil_kerja = rating_hasil_kerja
        evaluasi.rating_perilaku_kerja = rating_perilaku_kerja
        evaluasi.predikat = baru
        evaluasi.save(
            update_fields=["rating_hasil_kerja", "rating_perilaku_kerja", "predikat", "versi", "updated_at"]
        )
        audit_log(
            actor=actor,
            instansi=evaluasi.instansi_id,
            action="evaluasi.predikat_keberatan",
            obj=evaluasi,
            before=before,
            after={
                "rating_hasil_kerja": rating_hasil_kerja,
                "rating_perilaku_kerja": rating_perilaku_kerja,
                "predikat": baru,
                "keberatan": locked.pk,
            },
        )
        if evaluasi.jenis == JenisEvaluasi.TAHUNAN:
            from evaluasi.batch import tindak_lanjut_hitung_ulang

            tindak_lanjut_hitung_ulang(
                instansi_id=evaluasi.instansi_id, tahun=evaluasi.tahun, pegawai_id=evaluasi.pegawai_id
            )
    hooks.on_evaluasi_dinilai(evaluasi)
    return locked


# ---------------------------------------------------------------------------------------------- §8.2 chain

BERKAS_LANGKAH_MAKS = 10 * 1024 * 1024


@transaction.atomic
def tindak_lanjut_langkah_catat(
    *,
    actor: User,
    roles: list[str],
    evaluasi: Evaluasi,
    jenis: str,
    tanggal: dt.date,
    catatan: str,
    sampai: dt.date | None = None,
    berkas: Any = None,
) -> LangkahTindakLanjut:
    """Record one step of the chain after the improvement window of ``evaluasi`` (domain §8.2): admin
    instansi (or platform admin) only, in the chain's order (``scoring.langkah_errors``), with an optional
    PDF checked whole. Locks the follow-up row so two admins cannot record out of order. Audited."""
    from kinerja.berkas_aman import BerkasTidakAman, pdf_periksa

    if not set(roles) & set(ROLES_ADMIN):
        raise NotFoundOrForbidden()
    tl = (
        TindakLanjut.objects.select_for_update()
        .filter(
            instansi_id=evaluasi.instansi_id, evaluasi=evaluasi, jenis=JenisTindakLanjut.PERBAIKAN_KINERJA
        )
        .first()
    )
    if tl is None:
        raise ApplicationError(_("Evaluasi ini tidak memiliki masa perbaikan kinerja."))
    terakhir = tl.langkah.order_by("-tanggal", "-id").values_list("jenis", "tanggal").first()
    errors = scoring.langkah_errors(
        akhir_perbaikan=tl.selesai,
        terakhir=terakhir,
        jenis=jenis,
        tanggal=tanggal,
        sampai=sampai,
        label={k: str(v) for k, v in JenisLangkah.choices},
    )
    if berkas:
        if berkas.size > BERKAS_LANGKAH_MAKS:
            errors.setdefault("berkas", []).append(_("Berkas paling besar 10 MB."))
        else:
            try:
                pdf_periksa(berkas)
            except BerkasTidakAman as exc:
                errors.setdefault("berkas", []).append(str(exc))
    if errors:
        raise ApplicationError(_("Periksa kembali isian langkah tindak lanjut."), errors=errors)
    langkah = LangkahTindakLanjut(
        instansi_id=evaluasi.instansi_id,
        tindak_lanjut=tl,
        jenis=jenis,
        tanggal=tanggal,
        sampai=sampai,
        catatan=catatan,
        dicatat_oleh=actor,
        nama_berkas=(getattr(berkas, "name", "") or "")[:255] if berkas else "",
    )
    if berkas:
        langkah.berkas.save("langkah.pdf", berkas, save=False)
    langkah.save()
    audit_log(
        actor=actor,
        instansi=evaluasi.instansi_id,
        action="evaluasi.tindak_lanjut.langkah",
        obj=langkah,
        after={"jenis": jenis, "tanggal": tanggal.isoformat(), "sampai": sampai.isoformat() if sampai else None,
               "pegawai_id": tl.pegawai_id, "berkas": bool(berkas)},
    )  # fmt: skip
    return langkah
