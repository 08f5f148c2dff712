"""The December batch (issue: set-based, idempotent, resumable, tenant-scoped), run in-process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from evaluasi.models import AngkaKredit, BatchChunk, Evaluasi, JenisEvaluasi, KinerjaOrganisasi, TindakLanjut
from kinerja.models import JobStatus
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, jf_pegawai, make_skp, rows_snapshot, set_rating
from tests.factories import PegawaiFactory

pytestmark = pytest.mark.django_db

DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"


def _setup_year(org: Org, *, extra: int = 0) -> list[Any]:
    """Approved SKPs for the atasan, pegawai, rekan and ``extra`` more; all rated but the rekan."""
    more = [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(extra)
    ]
    people = [org.atasan, org.pegawai, org.rekan, *more]
    for p in people:
        make_skp(p)
    ensure_all(org.instansi)
    set_rating(org.atasan, DA, DA)  # sangat_baik
    set_rating(org.pegawai, DB, DB)  # sangat_kurang
    for i, p in enumerate(more):
        set_rating(p, [DA, SE, DB][i % 3], SE)
    return people


def test_batch_finalises_rated_lists_missing_and_never_invents(
    org_a: Org, org_b: Org, run_batch: Any, settings: Any
) -> None:
    settings.EVALUASI_BATCH_SIZE = 2
    _setup_year(org_a, extra=3)
    _setup_year(org_b)
    before_b = rows_snapshot(org_b.instansi)

    job = run_batch(org_a)

    assert job.status == JobStatus.SELESAI
    assert job.progress == 100
    with scopes_disabled():
        tahunan = {
            e.pegawai_id: e for e in Evaluasi._base_manager.filter(instansi=org_a.instansi, jenis="tahunan")
        }
    assert tahunan[org_a.atasan.pk].status == "final"
    assert tahunan[org_a.atasan.pk].predikat == "sangat_baik"
    assert tahunan[org_a.pegawai.pk].status == "final"
    assert tahunan[org_a.pegawai.pk].predikat == "sangat_kurang"
    # the rekan has no ratings: listed as missing, never given a predikat, stays open
    assert tahunan[org_a.rekan.pk].predikat == ""
    assert tahunan[org_a.rekan.pk].status == "belum_dinilai"
    kel = {k["unit"]: k for k in job.detail["kelengkapan"]}
    bidang = kel[org_a.pegawai.unit_kerja.nama]
    assert [b["nip"] for b in bidang["belum"]] == [org_a.rekan.nip]
    assert bidang["jumlah"] == 6
    assert bidang["dinilai"] == 5
    r = job.detail["ringkasan"]
    assert r["pegawai"] == 6
    assert r["dinilai"] == 5
    assert r["belum_dinilai"] == 1
    assert r["predikat"]["sangat_baik"] == 1
    assert r["predikat"]["sangat_kurang"] == 1
    assert r["tindak_lanjut"]["perbaikan_kinerja"] == 1
    # distribution check ran per unit with the default rule set, as warnings (no org predikat set yet)
    assert job.detail["aturan"]["kode"] == "pmk6_2022"  # the default since issue #17
    assert all(d["peringatan"][0]["kode"] == "predikat_organisasi_kosong" for d in job.detail["distribusi"])
    # chunked by pegawai id range: 6 pegawai in A with size 2 → several chunks, each recorded once per tahap
    with scopes_disabled():
        assert (
            BatchChunk._base_manager.filter(instansi=org_a.instansi, tahap="final").count()
            == job.detail["chunk"]["total"]
            > 1
        )
    # tenant-scoped: instansi B untouched
    assert rows_snapshot(org_b.instansi) == before_b


def test_improvement_window_six_months_from_finalisation(
    org_a: Org, run_batch: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC))
    _setup_year(org_a)
    run_batch(org_a)
    with scopes_disabled():
        tl = TindakLanjut._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai)
    assert tl.jenis == "perbaikan_kinerja"
    assert (tl.mulai, tl.selesai) == (dt.date(2026, 12, 30), dt.date(2027, 6, 30))


def test_running_twice_gives_identical_rows(org_a: Org, run_batch: Any, settings: Any) -> None:
    settings.EVALUASI_BATCH_SIZE = 2
    _setup_year(org_a, extra=4)
    first = run_batch(org_a)
    snap = rows_snapshot(org_a.instansi)
    with scopes_disabled():
        stamps = sorted(
            Evaluasi._base_manager.filter(instansi=org_a.instansi).values_list("id", "updated_at", "final_at")
        )
    second = run_batch(org_a)
    assert rows_snapshot(org_a.instansi) == snap
    with scopes_disabled():
        assert (
            sorted(
                Evaluasi._base_manager.filter(instansi=org_a.instansi).values_list(
                    "id", "updated_at", "final_at"
                )
            )
            == stamps
        )
    # a completed round is closed: the second run is a fresh round that changes nothing
    assert (first.detail["chunk"]["ronde"], second.detail["chunk"]["ronde"]) == (1, 2)
    assert second.detail["chunk"]["final_dilewati"] == 0
    assert second.detail["ringkasan"] == first.detail["ringkasan"]


@pytest.mark.parametrize(("tahap", "urutan"), [("nilai", 1), ("final", 0), ("final", 2)])
def test_resume_after_a_chunk_dies_equals_a_clean_run(
    org_a: Org, org_b: Org, run_batch: Any, settings: Any, tahap: str, urutan: int
) -> None:
    """Same data in A and B; B is the clean run. A dies in chunk N, then a second run finishes the rest."""
    settings.EVALUASI_BATCH_SIZE = 2
    for org in (org_a, org_b):
        _setup_year(org, extra=4)
    clean = run_batch(org_b)

    settings.EVALUASI_BATCH_GAGAL = {"tahap": tahap, "urutan": urutan}
    failed = run_batch(org_a, expect_fail=True)
    assert failed.status == JobStatus.GAGAL
    assert "Gagal uji" in failed.pesan
    with scopes_disabled():
        done = BatchChunk._base_manager.filter(instansi=org_a.instansi, tahap=tahap).count()
    assert done == urutan  # the failing chunk rolled back; earlier ones stay recorded

    settings.EVALUASI_BATCH_GAGAL = None
    resumed = run_batch(org_a)
    assert resumed.status == JobStatus.SELESAI
    assert resumed.detail["chunk"][f"{tahap}_dilewati"] == urutan
    assert resumed.detail["chunk"]["ronde"] == failed.detail["chunk"]["ronde"] == 1  # resumed, not restarted

    def normalised(org: Org) -> dict[str, Any]:
        """Rows with pegawai/unit/skp ids mapped to roles so A and B compare."""
        snap = rows_snapshot(org.instansi)
        with scopes_disabled():
            order = list(
                Evaluasi._base_manager.filter(instansi=org.instansi)
                .order_by("pegawai_id")
                .values_list("pegawai_id", flat=True)
                .distinct()
            )
        idx = {pid: i for i, pid in enumerate(order)}
        return {
            "evaluasi": sorted((r[0], idx[r[1]], r[6], r[7], r[8], r[9]) for r in snap["evaluasi"]),
            "tindak_lanjut": sorted((idx[r[0]], r[1]) for r in snap["tindak_lanjut"]),
            "angka_kredit": sorted((idx[r[0]], *r[1:]) for r in snap["angka_kredit"]),
        }

    assert normalised(org_a) == normalised(org_b)
    assert resumed.detail["ringkasan"] == clean.detail["ringkasan"]
    # one round, one finalisation date for everybody (keberatan deadlines agree)
    with scopes_disabled():
        assert (
            Evaluasi._base_manager.filter(instansi=org_a.instansi, status="final")
            .values("final_at")
            .distinct()
            .count()
            == 1
        )


def test_dry_run_writes_nothing_and_predicts_the_real_run(
    org_a: Org, run_batch: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC))
    _setup_year(org_a, extra=3)
    jf = jf_pegawai(org_a, "ahli_madya")
    make_skp(jf)
    ensure_all(org_a.instansi)
    set_rating(jf, SE, SE)
    before = rows_snapshot(org_a.instansi)

    dry = run_batch(org_a, dry_run=True)

    assert dry.status == JobStatus.SELESAI
    assert dry.detail["dry_run"] is True
    assert rows_snapshot(org_a.instansi) == before
    real = run_batch(org_a)
    assert dry.detail["ringkasan"] == real.detail["ringkasan"]
    assert dry.detail["kelengkapan"] == real.detail["kelengkapan"]
    assert dry.detail["distribusi"] == real.detail["distribusi"]
    assert real.detail["ringkasan"]["angka_kredit"] == {"pegawai": 1, "jumlah": "37.500"}


def test_dry_run_without_any_rows_yet(org_a: Org, run_batch: Any) -> None:
    """Before anyone opened a list, the annual rows don't exist: the dry run still counts everyone."""
    for p in (org_a.atasan, org_a.pegawai):
        make_skp(p)
    dry = run_batch(org_a, dry_run=True)
    assert dry.detail["ringkasan"]["pegawai"] == 2
    assert dry.detail["ringkasan"]["belum_dinilai"] == 2
    with scopes_disabled():
        assert not Evaluasi._base_manager.filter(instansi=org_a.instansi).exists()


def test_follow_ups_streaks_and_angka_kredit(org_a: Org, run_batch: Any) -> None:
    """Sangat baik two years running → talent pool; baik twice → competence; JF gets AK prorated by months."""
    jf = jf_pegawai(org_a, "ahli_muda")
    for tahun in (TAHUN - 1, TAHUN):
        for p in (org_a.atasan, org_a.pegawai):
            make_skp(p, tahun=tahun)
        ensure_all(org_a.instansi, tahun)
        set_rating(org_a.atasan, DA, DA, tahun=tahun)
        set_rating(org_a.pegawai, SE, SE, tahun=tahun)
    # the JF moved on 15 March: two stints that together cover every month
    make_skp(jf, mulai=dt.date(TAHUN, 1, 1), selesai=dt.date(TAHUN, 3, 14))
    make_skp(jf, mulai=dt.date(TAHUN, 3, 15), selesai=dt.date(TAHUN, 9, 30))
    ensure_all(org_a.instansi)
    set_rating(jf, DA, DA)
    run_batch(org_a, tahun=TAHUN - 1)
    run_batch(org_a)
    with scopes_disabled():
        tl = dict(
            TindakLanjut._base_manager.filter(instansi=org_a.instansi, tahun=TAHUN).values_list(
                "pegawai_id", "jenis"
            )
        )
        ak = AngkaKredit._base_manager.get(instansi=org_a.instansi, tahun=TAHUN)
    assert tl == {org_a.atasan.pk: "talent_pool", org_a.pegawai.pk: "pengembangan_kompetensi"}
    assert (ak.pegawai_id, ak.jenjang, ak.predikat, ak.bulan) == (jf.pk, "ahli_muda", "sangat_baik", 9)
    assert ak.nilai == Decimal("28.125")  # 9/12 * 25 * 150%


def test_patch_after_final_is_409_and_rated_later_finalised_on_rerun(
    org_a: Org, run_batch: Any, api: Any, time_machine: Any
) -> None:
    # inside the annual window (1 Dec - 31 Jan), whenever the suite runs: a late rating is allowed then
    time_machine.move_to(dt.datetime(TAHUN, 12, 15, 10, 0, tzinfo=dt.UTC))
    _setup_year(org_a)
    run_batch(org_a)
    with scopes_disabled():
        ev = {
            e.pegawai_id: e for e in Evaluasi._base_manager.filter(instansi=org_a.instansi, jenis="tahunan")
        }
    body = {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Sudah dibahas langsung."}
    resp = api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev[org_a.pegawai.pk].pk}/", body, format="json")
    assert resp.status_code == 409, resp.content
    # the missing rating arrives later; a second run finalises just that one
    resp = api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev[org_a.rekan.pk].pk}/", body, format="json")
    assert resp.status_code == 200, resp.content
    job = run_batch(org_a)
    assert job.detail["ringkasan"]["belum_dinilai"] == 0
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev[org_a.rekan.pk].pk).status == "final"


def test_distribution_warning_uses_org_predikat_and_rule_set(org_a: Org, run_batch: Any) -> None:
    """Bidang: sangat baik 1, baik 2, butuh perbaikan 1, sangat kurang 1 (the rekan unrated)."""
    from evaluasi.models import AturanDistribusi, PengaturanEvaluasi

    _setup_year(org_a, extra=3)
    unit = org_a.pegawai.unit_kerja
    with scopes_disabled():
        org = KinerjaOrganisasi._base_manager.create(
            instansi=org_a.instansi, unit_kerja=unit, tahun=TAHUN, predikat="baik", justifikasi="PK tercapai"
        )

    def bidang(job: Any) -> dict[str, Any]:
        return next(d for d in job.detail["distribusi"] if d["unit_id"] == unit.pk)

    job = run_batch(org_a)
    assert bidang(job)["predikat_organisasi"] == "baik"
    assert bidang(job)["jumlah"] == {
        "sangat_baik": 1,
        "baik": 2,
        "butuh_perbaikan": 1,
        "kurang_misconduct": 0,
        "sangat_kurang": 1,
    }
    assert bidang(job)["peringatan"] == []  # default "baik": most baik → fine
    # the leader re-sets the unit as "istimewa": most should be sangat baik → a warning, never a block
    with scopes_disabled():
        KinerjaOrganisasi._base_manager.filter(pk=org.pk).update(predikat="istimewa")
    job = run_batch(org_a)
    assert job.status == JobStatus.SELESAI
    assert [w["kode"] for w in bidang(job)["peringatan"]] == ["terbanyak:sangat_baik"]
    # the instansi switches to the PP 30/2019 policy: 20% SB ≤ 20% ok, baik 40% < 60%, bottom 40% > 20%
    with scopes_disabled():
        PengaturanEvaluasi._base_manager.create(
            instansi=org_a.instansi, aturan_distribusi=AturanDistribusi.objects.get(kode="pp30_2019")
        )
    job = run_batch(org_a)
    assert job.detail["aturan"]["kode"] == "pp30_2019"
    assert [w["kode"] for w in bidang(job)["peringatan"]] == [
        "min:baik",
        "maks:butuh_perbaikan+kurang_misconduct+sangat_kurang",
    ]


def test_chunk_queries_do_not_grow_with_pegawai(org_a: Org, settings: Any) -> None:
    """Set-based: a chunk costs the same number of statements for 2 or 12 pegawai."""
    from evaluasi.batch import chunk_final, chunk_nilai

    def cost(extra: int, tahun: int) -> tuple[int, int]:
        people = [
            PegawaiFactory(
                instansi=org_a.instansi,
                unit_kerja=org_a.pegawai.unit_kerja,
                jabatan=org_a.pegawai.jabatan,
                atasan=org_a.atasan,
            )
            for _ in range(extra)
        ]
        for p in people:
            make_skp(p, tahun=tahun)
        ensure_all(org_a.instansi, tahun)
        for p in people:
            set_rating(p, SE, SE, tahun=tahun)
        with scope(instansi=org_a.instansi.pk):
            with CaptureQueriesContext(connection) as q1:
                chunk_nilai(instansi_id=org_a.instansi.pk, tahun=tahun, dari=0, sampai=10**12, ronde=1)
            with CaptureQueriesContext(connection) as q2:
                chunk_final(
                    instansi_id=org_a.instansi.pk,
                    tahun=tahun,
                    dari=0,
                    sampai=10**12,
                    ronde=1,
                    final_at=dt.datetime(tahun, 12, 31, tzinfo=dt.UTC),
                )
        return len(q1), len(q2)

    assert cost(2, 2024) == cost(12, 2025)


def test_periodic_rows_for_each_stint_and_period(org_a: Org) -> None:
    make_skp(org_a.pegawai, mulai=dt.date(TAHUN, 1, 1), selesai=dt.date(TAHUN, 5, 14))
    make_skp(org_a.pegawai, mulai=dt.date(TAHUN, 5, 15), selesai=dt.date(TAHUN, 12, 31))
    ensure_all(org_a.instansi)
    ensure_all(org_a.instansi)  # idempotent
    with scopes_disabled():
        rows = list(
            Evaluasi._base_manager.filter(instansi=org_a.instansi, jenis=JenisEvaluasi.PERIODIK)
            .order_by("skp__periode_mulai", "periode__nomor")
            .values_list("skp__periode_mulai", "periode__nomor")
        )
        annual = Evaluasi._base_manager.get(instansi=org_a.instansi, jenis=JenisEvaluasi.TAHUNAN)
    assert rows == [
        (dt.date(TAHUN, 1, 1), 1), (dt.date(TAHUN, 1, 1), 2),
        (dt.date(TAHUN, 5, 15), 2), (dt.date(TAHUN, 5, 15), 3), (dt.date(TAHUN, 5, 15), 4),
    ]  # fmt: skip
    assert annual.skp.periode_mulai == dt.date(TAHUN, 5, 15)  # the stint covering 31 December


def test_every_finalised_pegawai_is_notified_once_with_email_per_preference(
    org_a: Org, org_b: Org, run_batch: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """One in-app notification per finalised pegawai (none for the unrated), across chunks; a re-run
    adds none; e-mail only for those with an address who want it at once; B untouched."""
    from dialog.models import Notifikasi, StatusEmail

    settings.EVALUASI_BATCH_SIZE = 2
    people = _setup_year(org_a, extra=3)
    _setup_year(org_b)
    with scopes_disabled():
        type(org_a.pegawai)._base_manager.filter(pk=org_a.pegawai.pk).update(email="pegawai@contoh.go.id")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_batch(org_a)
    with scopes_disabled():
        rows = list(
            Notifikasi._base_manager.filter(instansi=org_a.instansi, jenis="evaluasi_final").values_list(
                "penerima_id", "email_status"
            )
        )
        assert not Notifikasi._base_manager.filter(instansi=org_b.instansi, jenis="evaluasi_final").exists()
    finalised = {p.user_id for p in people if p.pk != org_a.rekan.pk}  # the rekan was left unrated
    assert sorted(uid for uid, _status in rows) == sorted(finalised)
    status = dict(rows)
    assert status[org_a.pegawai.user_id] == StatusEmail.SEGERA
    assert status[org_a.atasan.user_id] == StatusEmail.TIDAK_PERLU  # no address
    email_tasks = [
        c
        for c in callbacks
        if getattr(getattr(getattr(c, "func", None), "__self__", None), "name", "").endswith(
            "notifikasi_email_bulk_task"
        )
    ]
    assert len(email_tasks) == 1  # one bulk e-mail task, for the one pegawai with an address
    run_batch(org_a)
    with scopes_disabled():
        assert Notifikasi._base_manager.filter(
            instansi=org_a.instansi, jenis="evaluasi_final"
        ).count() == len(rows)


def _insert_checked(model: Any, row: dict[str, Any]) -> None:
    """Insert one row and run the deferred foreign-key checks now (in a savepoint)."""
    from django.db import transaction

    with transaction.atomic():
        with scopes_disabled():
            model._base_manager.create(**row)
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize("model", [TindakLanjut, AngkaKredit])
def test_follow_up_rows_can_only_point_at_an_evaluation_of_their_own_instansi_and_pegawai(
    org_a: Org, org_b: Org, run_batch: Any, model: Any
) -> None:
    """evaluasi/0007: one composite foreign key (instansi_id, pegawai_id, evaluasi_id) -> evaluasi
    replaces three single ones; the database refuses a row that mixes instansi or pegawai."""
    from django.db import IntegrityError

    _setup_year(org_a)
    _setup_year(org_b)
    run_batch(org_a)
    run_batch(org_b)
    with scopes_disabled():
        tahunan = Evaluasi._base_manager.filter(jenis="tahunan")
        ev_a = tahunan.get(instansi=org_a.instansi, pegawai=org_a.pegawai)
        ev_a_atasan = tahunan.get(instansi=org_a.instansi, pegawai=org_a.atasan)
        ev_b = tahunan.get(instansi=org_b.instansi, pegawai=org_b.pegawai)
    extra: dict[str, Any] = {"jenis": "talent_pool"}
    if model is AngkaKredit:
        extra = {"jenjang": "ahli_pertama", "predikat": "baik", "persentase": 100, "koefisien": "12.500"}
        extra.update(bulan=12, nilai="12.500")
    good = {"instansi_id": org_a.instansi.pk, "pegawai_id": org_a.pegawai.pk, "tahun": TAHUN - 5, **extra}
    bad_rows = [
        {**good, "evaluasi_id": ev_b.pk},  # another instansi's evaluation
        {**good, "evaluasi_id": ev_a_atasan.pk},  # another pegawai's evaluation
        {**good, "instansi_id": org_b.instansi.pk, "evaluasi_id": ev_a.pk},  # row claims another instansi
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError, match="evaluasi_tenant_fk"):
            _insert_checked(model, row)
    _insert_checked(model, {**good, "evaluasi_id": ev_a.pk})  # the consistent row is accepted
    with scopes_disabled():
        assert model._base_manager.filter(tahun=TAHUN - 5).count() == 1


def test_batch_started_by_a_platform_admin_finishes_behind_the_identity_wall(
    org_a: Org, platform_admin: Any
) -> None:
    """The task runs as the tenant with no user: the platform admin's account is out of its sight
    (kinerja/rls.py), so the closing audit row names the starter by id instead of loading it."""
    from evaluasi.batch import tahunan_batch_run
    from evaluasi.services import tahunan_batch_start
    from kinerja import rls
    from kinerja.models import AuditLog, Job

    _setup_year(org_a)
    with scope(instansi=org_a.instansi.pk):
        job = tahunan_batch_start(
            actor=platform_admin,
            roles=["platform_admin"],
            instansi=org_a.instansi,
            tahun=TAHUN,
            dry_run=False,
        )
        with rls.rls_tenant(org_a.instansi.pk):
            tahunan_batch_run(job_id=job.pk)
    assert Job._base_manager.get(pk=job.pk).status == JobStatus.SELESAI
    done = AuditLog._base_manager.get(instansi=org_a.instansi, action="evaluasi.tahunan.selesai")
    assert done.actor_id == platform_admin.pk
