"""Issue #17 (R3): the follow-up rule per jabatan (domain.md §8.2) and angka kredit across a promotion
(domain.md "Angka kredit across a promotion" + §8.3): the Python rule, the batch SQL, and their agreement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from evaluasi import scoring
from evaluasi.batch import angka_kredit_select
from evaluasi.models import AngkaKredit, Evaluasi, TindakLanjut
from kinerja.models import Pegawai, Penempatan
from kinerja.models.org import JenisJabatan
from skp.models import Skp
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, jf_pegawai, make_skp, set_rating
from tests.factories import JabatanFactory, PegawaiFactory

DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
SB, B, BP, KM, SK = "sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang"
JENIS = [j.value for j in JenisJabatan]


@pytest.fixture(autouse=True)
def _desember(time_machine: Any) -> None:
    """Inside the annual window (1 December - 31 January)."""
    time_machine.move_to(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC))


# ---------------------------------------------------------------------------------- §8.2 rule, case by case


@pytest.mark.parametrize("jenis", ["jpt_utama", "jpt_madya", "jpt_pratama"])
@pytest.mark.parametrize(
    ("predikat", "window"), [(SB, False), (B, False), (BP, True), (KM, True), (SK, True)]
)
def test_domain_s8_2_row1_jpt_cukup_kurang_sangat_kurang_get_six_months(
    jenis: str, predikat: str, window: bool
) -> None:
    """domain.md §8.2 row "JPT": predikat Cukup/Kurang/Sangat Kurang (PP30) → 6 months to improve."""
    assert (scoring.tindak_lanjut_untuk(predikat, None, jenis) == "perbaikan_kinerja") is window


@pytest.mark.parametrize("jenis", ["administrator", "pengawas", "fungsional", "pelaksana", None])
@pytest.mark.parametrize(
    ("predikat", "window"), [(SB, False), (B, False), (BP, False), (KM, True), (SK, True)]
)
def test_domain_s8_2_row2_administrasi_fungsional_kurang_sangat_kurang_only(
    jenis: str | None, predikat: str, window: bool
) -> None:
    """domain.md §8.2 row "Pejabat administrasi / fungsional": predikat Kurang or Sangat Kurang only."""
    assert (scoring.tindak_lanjut_untuk(predikat, None, jenis) == "perbaikan_kinerja") is window


def test_domain_s8_1_streaks_unchanged_for_jpt() -> None:
    """domain.md §8.1: Sangat Baik twice → talent pool, whatever the jabatan."""
    assert scoring.tindak_lanjut_untuk(SB, SB, "jpt_pratama") == "talent_pool"
    assert scoring.tindak_lanjut_untuk(B, B, "jpt_pratama") == "pengembangan_kompetensi"


@pytest.mark.django_db
def test_perbaikan_sql_agrees_with_python_for_every_predikat_and_jabatan() -> None:
    """One rule source: the batch's SQL boolean is generated from the same tables; every combination agrees."""
    combos = [(p, j) for p in scoring.PREDIKAT_ORDER for j in [*JENIS, None]]
    lit = {j: (f"'{j}'" if j else "NULL") for _, j in combos}
    values = ", ".join(f"('{p}', {lit[j]}::text)" for p, j in combos)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT p, j, {scoring.perbaikan_sql('v.p', 'v.j')} FROM (VALUES {values}) AS v(p, j)"  # noqa: S608
        )
        sql = {(p, j): ok for p, j, ok in cur.fetchall()}
    for p, j in combos:
        assert sql[(p, j)] is (p in scoring.predikat_perbaikan(j)), (p, j)


@pytest.mark.django_db
def test_batch_gives_a_jpt_rated_butuh_perbaikan_the_window_and_not_a_pelaksana(
    org_a: Org, run_batch: Any
) -> None:
    """domain.md §8.2: the kepala (JPT Pratama) rated Butuh Perbaikan gets the window; the pelaksana rated
    Butuh Perbaikan does not; a pelaksana rated Kurang does."""
    assert org_a.kepala.jabatan.jenis in scoring.JENIS_JABATAN_JPT
    for p in (org_a.kepala, org_a.pegawai, org_a.rekan):
        make_skp(p)
    ensure_all(org_a.instansi)
    set_rating(org_a.kepala, DB, SE)  # butuh_perbaikan
    set_rating(org_a.pegawai, DB, DA)  # butuh_perbaikan
    set_rating(org_a.rekan, SE, DB)  # kurang_misconduct
    dry = run_batch(org_a, dry_run=True)
    job = run_batch(org_a)
    with scopes_disabled():
        tl = dict(
            TindakLanjut._base_manager.filter(instansi=org_a.instansi, tahun=TAHUN).values_list(
                "pegawai_id", "jenis"
            )
        )
        selesai = TindakLanjut._base_manager.get(pegawai=org_a.kepala).selesai
    assert tl == {org_a.kepala.pk: "perbaikan_kinerja", org_a.rekan.pk: "perbaikan_kinerja"}
    assert selesai == dt.date(2027, 6, 30)
    assert job.detail["ringkasan"]["tindak_lanjut"]["perbaikan_kinerja"] == 2
    assert dry.detail["ringkasan"]["tindak_lanjut"] == job.detail["ringkasan"]["tindak_lanjut"]
    # the Python rule says the same for each of them
    with scopes_disabled():
        pred = dict(
            Evaluasi._base_manager.filter(instansi=org_a.instansi, tahun=TAHUN, jenis="tahunan").values_list(
                "pegawai_id", "predikat"
            )
        )
    for p in (org_a.kepala, org_a.pegawai, org_a.rekan):
        assert (scoring.tindak_lanjut_untuk(pred[p.pk], None, p.jabatan.jenis) is not None) is (p.pk in tl)


# ---------------------------------------------------------------------------------- angka kredit across a promotion


def test_ak_mid_year_promotion_pertama_jan_jun_muda_jul_dec() -> None:
    """domain.md "Angka kredit across a promotion": 6 * 12,5 + 6 * 25 = 225 bulan-koefisien; Baik 100% →
    225/12 = 18,750 (not 25 for the whole year in the new jenjang)."""
    per_bulan = {m: ("ahli_pertama" if m <= 6 else "ahli_muda") for m in range(1, 13)}
    r = scoring.angka_kredit_rincian(predikat=B, jenjang_per_bulan=per_bulan)
    assert r["nilai"] == Decimal("18.750")
    assert (r["bulan"], r["jenjang"], r["koefisien"]) == (12, "ahli_muda", Decimal("25"))
    assert r["rincian"] == [
        {"jenjang": "ahli_pertama", "bulan": 6, "koefisien": "12.5"},
        {"jenjang": "ahli_muda", "bulan": 6, "koefisien": "25"},
    ]
    sb = scoring.angka_kredit_rincian(predikat=SB, jenjang_per_bulan=per_bulan)
    assert sb["nilai"] == Decimal("28.125")  # 225/12 * 150%


def test_ak_one_jenjang_equals_the_s8_3_formula() -> None:
    """domain.md §8.3: AK = bulan/12 * koefisien * persentase, for every jenjang, predikat and month count."""
    for jenjang in scoring.KOEFISIEN_AK:
        for predikat in scoring.PERSENTASE_AK:
            for bulan in range(1, 13):
                r = scoring.angka_kredit_rincian(
                    predikat=predikat, jenjang_per_bulan=dict.fromkeys(range(1, bulan + 1), jenjang)
                )
                assert r["nilai"] == scoring.angka_kredit(jenjang=jenjang, predikat=predikat, bulan=bulan)


def test_ak_months_outside_a_jf_are_skipped() -> None:
    """A JF who became structural in October: only the JF months count."""
    per_bulan = {m: ("ahli_madya" if m <= 9 else None) for m in range(1, 13)}
    r = scoring.angka_kredit_rincian(predikat=B, jenjang_per_bulan=per_bulan)
    assert (r["bulan"], r["nilai"]) == (9, Decimal("28.125"))  # 9/12 * 37,5


def test_ak_placement_on_the_first_day_of_the_month_decides() -> None:
    """TMT jabatan: a promotion on 1 July counts from July, one on 15 July from August."""
    awal = (dt.date(2020, 1, 1), dt.date(2026, 6, 30), "fungsional", "ahli_pertama")
    naik = (dt.date(2026, 7, 1), None, "fungsional", "ahli_muda")
    got = scoring.jenjang_per_bulan(
        tahun=2026, bulan=range(1, 13), penempatan=[awal, naik], jabatan_sekarang=("fungsional", "ahli_muda")
    )
    assert [got[m] for m in (6, 7)] == ["ahli_pertama", "ahli_muda"]
    awal15 = (dt.date(2020, 1, 1), dt.date(2026, 7, 14), "fungsional", "ahli_pertama")
    naik15 = (dt.date(2026, 7, 15), None, "fungsional", "ahli_muda")
    got = scoring.jenjang_per_bulan(
        tahun=2026,
        bulan=range(1, 13),
        penempatan=[awal15, naik15],
        jabatan_sekarang=("fungsional", "ahli_muda"),
    )
    assert [got[m] for m in (7, 8)] == ["ahli_pertama", "ahli_muda"]
    # no placement history → the current jabatan
    got = scoring.jenjang_per_bulan(tahun=2026, bulan=[3], penempatan=[], jabatan_sekarang=("pelaksana", ""))
    assert got == {3: None}


def _place(p: Pegawai, jabatan: Any, mulai: dt.date, selesai: dt.date | None) -> None:
    """Write the placement history (the factory's own "awal" placement is replaced by the first call)."""
    with scopes_disabled():
        Penempatan._base_manager.filter(pegawai=p, jenis="awal").delete()
        Penempatan._base_manager.create(
            instansi_id=p.instansi_id, pegawai=p, unit_kerja_id=p.unit_kerja_id, jabatan=jabatan, mulai=mulai,
            selesai=selesai, jenis="mutasi",
        )  # fmt: skip


def _python_ak(p: Pegawai, predikat: str) -> dict[str, Any]:
    """The Python rule fed from the same rows the batch reads."""
    with scopes_disabled():
        stints = list(
            Skp._base_manager.filter(
                instansi_id=p.instansi_id, pegawai=p, tahun=TAHUN, status__in=["disetujui", "diganti"]
            ).values_list("periode_mulai", "periode_selesai")
        )
        pen = [
            (r.mulai, r.selesai, r.jabatan.jenis, r.jabatan.jenjang)
            for r in Penempatan._base_manager.filter(pegawai=p).select_related("jabatan")
        ]
        now = Pegawai._base_manager.select_related("jabatan").get(pk=p.pk).jabatan
    bulan = scoring.bulan_penuh_daftar(tahun=TAHUN, rentang=stints)
    per_bulan = scoring.jenjang_per_bulan(
        tahun=TAHUN, bulan=bulan, penempatan=pen, jabatan_sekarang=(now.jenis, now.jenjang)
    )
    return scoring.angka_kredit_rincian(predikat=predikat, jenjang_per_bulan=per_bulan)


@pytest.mark.django_db
def test_batch_ak_across_a_promotion_agrees_with_python(org_a: Org, org_b: Org, run_batch: Any) -> None:
    """The batch SQL and the Python rule give the same AK row for several placement histories."""
    jabatan = {
        j: JabatanFactory(instansi=org_a.instansi, nama=f"Pranata {j}", jenis="fungsional", jenjang=j)
        for j in ("ahli_pertama", "ahli_muda", "ahli_madya", "terampil", "mahir")
    }
    struktural = JabatanFactory(instansi=org_a.instansi, nama="Kepala Seksi", jenis="pengawas")
    # 1. promoted 1 July: ahli_pertama Jan-Jun, ahli_muda Jul-Dec
    naik = jf_pegawai(org_a, "ahli_muda")
    _place(naik, jabatan["ahli_pertama"], dt.date(2021, 3, 1), dt.date(2026, 6, 30))
    _place(naik, jabatan["ahli_muda"], dt.date(2026, 7, 1), None)
    make_skp(naik, mulai=dt.date(TAHUN, 1, 1), selesai=dt.date(TAHUN, 6, 30))
    make_skp(naik, mulai=dt.date(TAHUN, 7, 1), selesai=dt.date(TAHUN, 12, 31))
    # 2. JF until September, then structural (current jabatan is not a JF)
    keluar = PegawaiFactory(
        instansi=org_a.instansi, unit_kerja=org_a.pegawai.unit_kerja, jabatan=struktural, atasan=org_a.atasan
    )
    _place(keluar, jabatan["ahli_madya"], dt.date(2019, 1, 1), dt.date(2026, 9, 30))
    _place(keluar, struktural, dt.date(2026, 10, 1), None)
    make_skp(keluar)
    # 3. three jenjang in one year, SKP from March (mid-month mutasi on 15 May)
    tiga = jf_pegawai(org_a, "ahli_pertama")
    _place(tiga, jabatan["terampil"], dt.date(2018, 1, 1), dt.date(2026, 5, 14))
    _place(tiga, jabatan["mahir"], dt.date(2026, 5, 15), dt.date(2026, 10, 31))
    _place(tiga, jabatan["ahli_pertama"], dt.date(2026, 11, 1), None)
    make_skp(tiga, mulai=dt.date(TAHUN, 3, 1), selesai=dt.date(TAHUN, 12, 31))
    # 4. no placement history: the current jabatan for the whole year (as before the change)
    polos = jf_pegawai(org_a, "ahli_madya")
    make_skp(polos)
    ensure_all(org_a.instansi)
    rated = {naik: (SE, SE), keluar: (DA, DA), tiga: (DB, SE), polos: (SE, DB)}
    for p, (hk, pk) in rated.items():
        set_rating(p, hk, pk)
    make_skp(org_b.pegawai)  # another instansi: untouched
    ensure_all(org_b.instansi)

    dry = run_batch(org_a, dry_run=True)
    run_batch(org_a)

    with scopes_disabled():
        rows = {
            a.pegawai_id: a for a in AngkaKredit._base_manager.filter(instansi=org_a.instansi, tahun=TAHUN)
        }
        assert not AngkaKredit._base_manager.filter(instansi=org_b.instansi).exists()
    assert set(rows) == {naik.pk, keluar.pk, tiga.pk, polos.pk}
    for p, (hk, pk) in rated.items():
        want = _python_ak(p, scoring.predikat(hk, pk))
        got = rows[p.pk]
        assert (got.bulan, got.nilai, got.jenjang, got.koefisien, got.rincian) == (
            want["bulan"], want["nilai"], want["jenjang"], want["koefisien"], want["rincian"],
        ), p  # fmt: skip
    assert rows[naik.pk].nilai == Decimal("18.750")  # the example, Baik
    assert (rows[keluar.pk].bulan, rows[keluar.pk].nilai) == (9, Decimal("42.188"))  # 9/12 * 37,5 * 150%
    assert [r["jenjang"] for r in rows[tiga.pk].rincian] == ["terampil", "mahir", "ahli_pertama"]
    assert [r["bulan"] for r in rows[tiga.pk].rincian] == [
        3,
        5,
        2,
    ]  # Mar-May (1 May terampil), Jun-Oct, Nov-Dec
    assert rows[polos.pk].nilai == Decimal("18.750")  # 12/12 * 37,5 * 50%
    total = sum((r.nilai for r in rows.values()), Decimal(0))
    assert dry.detail["ringkasan"]["angka_kredit"] == {"pegawai": 4, "jumlah": str(total)}
    # the evaluation page and the export show the months per jenjang
    from django.test import Client

    c = Client()
    c.force_login(org_a.admin.user)
    html = c.get(f"/evaluasi/{rows[naik.pk].evaluasi_id}/").content.decode()
    assert "Ahli Pertama: 6 bulan \u00d7 12.5; Ahli Muda: 6 bulan \u00d7 25" in html
    from evaluasi.documents import predikat_tahunan_rows

    with scope(instansi=org_a.instansi.pk):
        _, export = predikat_tahunan_rows(instansi=org_a.instansi, tahun=TAHUN, unit_id=None)
    baris = next(r for r in export if r[0] == naik.nip)
    assert "6 bln x 12.5" in baris[9]
    assert "6 bln x 25" in baris[9]
    assert baris[13] == 18.75


@pytest.mark.django_db
def test_ak_select_sql_is_scoped_to_the_instansi(org_a: Org) -> None:
    """The SELECT filters every table by instansi (also the new placement lookups)."""
    sql = angka_kredit_select("(SELECT 1 AS evaluasi_id, 1 AS pegawai_id, 'baik' AS predikat)")
    assert sql.count("kinerja_penempatan pn") == 2
    assert sql.count("pn.instansi_id = %(instansi)s") == 2
