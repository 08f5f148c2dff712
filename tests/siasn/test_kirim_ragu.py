"""Saves in doubt (issue #18): a first save whose answer is ambiguous is never repeated blind within a run
(reconciled with SIASN's riwayat instead), and periodic results and angka kredit in doubt after a hard kill
are reconciled with ``pns/rw-kinerjaperiodik`` / ``pns/rw-angkakredit`` like annual ones."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from django_scopes import scopes_disabled

from evaluasi.models import AngkaKredit, Evaluasi, KirimanSiasn, LogSiasn
from evaluasi.siasn import kirim as kirim_mod
from tests.conftest import Org
from tests.siasn.conftest import TAHUN, finalise
from tests.siasn.fake import FakeSiasn
from tests.siasn.test_kirim import kiriman, run

pytestmark = pytest.mark.django_db

KUNCI = {
    "skp22": ("pnsDinilaiOrang", "tahun"),
    "kinerjaperiodik": ("pnsDinilaiId", "tahun", "periodeMulai", "periodeSelesai"),
    "angkakredit": ("pnsId", "tahunMulaiPenailan", "bulanMulaiPenailan", "tahunSelesaiPenailan"),
}


def _per_evaluasi(fake: FakeSiasn, jenis: str = "skp22") -> Counter[tuple[Any, ...]]:
    """How many records SIASN holds per evaluation (pegawai, year and period) of one kind."""
    return Counter(
        tuple(r[k] for k in KUNCI[jenis]) for rid, r in fake.records.items() if rid.startswith(jenis + "-")
    )


def _tenang(fake: FakeSiasn) -> None:
    """Wait until the fake answered every call (a stalled answer is recorded when its sleep ends)."""
    batas = time.monotonic() + 10
    while fake.in_flight and time.monotonic() < batas:
        time.sleep(0.02)
    time.sleep(0.05)


def _rw(fake: FakeSiasn, jalur: str = "rw-skp22") -> list[dict[str, Any]]:
    return [r for r in fake.requests if f"/pns/{jalur}/" in r["path"]]


def _log(org: Org, **filt: Any) -> list[LogSiasn]:
    with scopes_disabled():
        return list(LogSiasn._base_manager.filter(instansi=org.instansi, **filt).order_by("id"))


def _semua_kiriman(org: Org) -> list[KirimanSiasn]:
    with scopes_disabled():
        return list(KirimanSiasn._base_manager.filter(instansi=org.instansi))


# ---------------------------------------------------------------------------------- within one run


@pytest.mark.parametrize("fault", ["simpan-lalu-timeout", "simpan-lalu-500"])
def test_a_first_save_stored_but_unanswered_is_adopted_not_posted_again(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, fault: str
) -> None:
    # every first save is stored by SIASN and its answer lost (the client's timeout is 1 s)
    siasn_a.inject("skp22/save", fault, count=3, headers={"seconds": "1.3"})
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim, 0 tidak berubah, 0 gagal" in out
    _tenang(siasn_a)
    per = _per_evaluasi(siasn_a)
    assert len(per) == 3
    assert set(per.values()) == {1}, per  # exactly one record per evaluation
    assert len(siasn_a.posts()) == 3  # no save was repeated
    assert len(_rw(siasn_a)) == 3  # one riwayat lookup per ambiguous answer
    ks = kiriman(org_a)
    assert {k.siasn_id for k in ks.values()} == set(siasn_a.records)
    assert {(k.status, k.dikirim_at) for k in ks.values()} == {("terkirim", None)}
    # the audit shows the ambiguous save, then the reconciliation that adopted SIASN's record
    for p in year_a:
        rows = _log(org_a, nip=p.nip)
        assert [(r.endpoint, r.hasil) for r in rows] == [
            ("skp22/save", "gagal"),
            ("pns/rw-skp22", "terkirim"),
        ]
        assert "tidak pasti" in rows[0].pesan
        assert rows[0].payload["id"] is None
        assert "tidak dikirim ulang" in rows[1].pesan
    # the next run has nothing to do
    siasn_a.requests.clear()
    assert "0 terkirim, 3 tidak berubah" in run()[1]
    assert siasn_a.requests == []


def test_an_ambiguous_failure_that_did_not_store_is_posted_again_after_the_lookup(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any
) -> None:
    siasn_a.inject("skp22/save", 502, count=1)  # the gateway failed before SIASN's backend stored it
    siasn_a.inject("skp22/save", "timeout", count=1, headers={"seconds": "1.3"})  # likewise, a timeout
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim" in out
    _tenang(siasn_a)
    assert set(_per_evaluasi(siasn_a).values()) == {1}
    assert len(_per_evaluasi(siasn_a)) == 3
    assert len(_rw(siasn_a)) == 2  # SIASN had none: posted again as new
    assert [r["json"]["id"] for r in siasn_a.posts()] == [None] * 5
    rekon = _log(org_a, endpoint="pns/rw-skp22")
    assert all("belum menyimpan" in r.pesan for r in rekon)


def test_a_failing_lookup_after_an_ambiguous_save_leaves_it_in_doubt_for_the_next_run(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "1")
    siasn_a.inject("skp22/save", "simpan-lalu-500", count=1)
    siasn_a.inject("rw-skp22", 503, count=2)  # the lookup fails after its retry
    code, out, err = run()
    assert code == 1
    assert "2 terkirim, 0 tidak berubah, 1 gagal" in out
    assert "pns/rw-skp22" in err
    _tenang(siasn_a)
    assert len(siasn_a.posts()) == 3  # never posted blind
    assert set(_per_evaluasi(siasn_a).values()) == {1}
    ragu = [k for k in kiriman(org_a).values() if k.dikirim_at is not None]
    assert [(k.status, k.siasn_id) for k in ragu] == [("gagal", "")]
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "1 terkirim, 2 tidak berubah" in out
    assert siasn_a.posts() == []  # adopted on the next run
    assert len(_per_evaluasi(siasn_a)) == 3
    assert set(_per_evaluasi(siasn_a).values()) == {1}
    assert {k.siasn_id for k in kiriman(org_a).values()} == set(siasn_a.records)


def test_a_persistent_ambiguous_failure_is_bounded(siasn_a: FakeSiasn, org_a: Org, year_a: Any) -> None:
    siasn_a.inject("skp22/save", 500, count=1000)
    code, _out, err = run()
    assert code == 1
    assert "HTTP 500" in err
    # per pegawai: 1 + max_retries (3) first saves, each ambiguous one followed by a lookup (SIASN had none)
    assert len(siasn_a.posts()) == 3 * 4
    assert len(_rw(siasn_a)) == 3 * 3
    assert siasn_a.records == {}
    assert {(k.status, k.dikirim_at is not None) for k in kiriman(org_a).values()} == {("gagal", True)}


# ---------------------------------------------------------------------- periodik and angka kredit


def _periodik_dan_ak(org: Org) -> int:
    """Periodic results of the pegawai (one per period) and an angka kredit of rekan; their count."""
    finalise(org.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi", jenis="periodik")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(pegawai=org.rekan, tahun=TAHUN, jenis="tahunan")
        AngkaKredit._base_manager.create(
            instansi=org.instansi, pegawai=org.rekan, tahun=TAHUN, evaluasi=ev, jenjang="ahli_muda",
            predikat="baik", persentase=100, koefisien="12.5", bulan=12, nilai="12.500",
        )  # fmt: skip
        return Evaluasi._base_manager.filter(pegawai=org.pegawai, tahun=TAHUN, jenis="periodik").count()


def test_periodic_results_and_angka_kredit_in_doubt_after_a_hard_kill_are_adopted(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    n_periodik = _periodik_dan_ak(org_a)
    assert n_periodik >= 2  # several periods a year: the period decides which record is which
    real = kirim_mod._simpan_jawaban
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", lambda **kw: None)  # a hard kill loses every answer
    assert run("A", "--jenis", "periodik,angkakredit")[0] == 0
    assert sum(_per_evaluasi(siasn_a, "kinerjaperiodik").values()) == n_periodik
    assert sum(_per_evaluasi(siasn_a, "angkakredit").values()) == 1
    assert {(k.siasn_id, k.dikirim_at is not None) for k in _semua_kiriman(org_a)} == {("", True)}
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    # one periodic record never reached SIASN: it alone is posted again
    hilang = next(rid for rid in siasn_a.records if rid.startswith("kinerjaperiodik-"))
    periode_hilang = siasn_a.records.pop(hilang)["periodeMulai"]
    siasn_a.requests.clear()
    code, out, err = run("A", "--jenis", "periodik,angkakredit")
    assert code == 0, err
    assert f"{n_periodik + 1} terkirim, 0 tidak berubah, 0 gagal" in out
    assert len(_rw(siasn_a, "rw-kinerjaperiodik")) == n_periodik
    assert len(_rw(siasn_a, "rw-angkakredit")) == 1
    assert siasn_a.saves("angkakredit/save") == []
    ulang = siasn_a.saves("kinerjaperiodik/save")
    assert [(r["json"]["id"], r["json"]["periodeMulai"]) for r in ulang] == [(None, periode_hilang)]
    per = _per_evaluasi(siasn_a, "kinerjaperiodik")
    assert len(per) == n_periodik
    assert set(per.values()) == {1}
    assert set(_per_evaluasi(siasn_a, "angkakredit").values()) == {1}
    ks = _semua_kiriman(org_a)
    assert {k.siasn_id for k in ks} == set(siasn_a.records)
    assert {(k.status, k.dikirim_at) for k in ks} == {("terkirim", None)}
    ends = Counter(r.endpoint for r in _log(org_a, endpoint__startswith="pns/rw-"))
    assert ends == {"pns/rw-kinerjaperiodik": n_periodik, "pns/rw-angkakredit": 1}
    assert "0 terkirim" in run("A", "--jenis", "periodik,angkakredit")[1]


def test_an_angka_kredit_changed_since_is_sent_as_an_update_and_a_failing_lookup_posts_nothing(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _periodik_dan_ak(org_a)
    real = kirim_mod._simpan_jawaban
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", lambda **kw: None)
    assert run("A", "--jenis", "periodik,angkakredit")[0] == 0
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    with scopes_disabled():
        AngkaKredit._base_manager.filter(pegawai=org_a.rekan).update(nilai="10.000")
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "0")
    siasn_a.inject("rw-kinerjaperiodik", 500, count=1000)
    siasn_a.requests.clear()
    code, _out, err = run("A", "--jenis", "periodik,angkakredit")
    assert code == 1
    assert "pns/rw-kinerjaperiodik" in err
    assert siasn_a.saves("kinerjaperiodik/save") == []  # nothing posted blind
    ak = siasn_a.saves("angkakredit/save")
    rid = next(r for r in siasn_a.records if r.startswith("angkakredit-"))
    assert [(r["json"]["id"], r["json"]["kreditBaruTotal"]) for r in ak] == [(rid, "10")]
    assert siasn_a.records[rid]["kreditBaruTotal"] == "10"
    assert set(_per_evaluasi(siasn_a, "angkakredit").values()) == {1}
    rekon = _log(org_a, endpoint="pns/rw-angkakredit")
    assert len(rekon) == 1
    assert "nilai lain" in rekon[0].pesan
    periodik = [k for k in _semua_kiriman(org_a) if k.jenis == "periodik"]
    assert {(k.status, k.siasn_id, k.dikirim_at is not None) for k in periodik} == {("gagal", "", True)}


@pytest.mark.parametrize("maks_beruntun", [5, 1])
def test_a_result_in_doubt_stays_in_doubt_when_its_run_never_reaches_it(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch, maks_beruntun: int
) -> None:
    """Review: a result in doubt from an earlier run whose pegawai lookup fails, or that is reported "not
    sent" after consecutive failures, or whose call never started, keeps its intent: a later run must
    reconcile it, never post it blind (a second record in SIASN)."""
    real = kirim_mod._simpan_jawaban
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", lambda **kw: None)  # hard kill: answers and ids lost
    assert run()[0] == 0
    assert len(siasn_a.records) == 3
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    monkeypatch.setattr(kirim_mod, "MAX_BERUNTUN_SEMENTARA", maks_beruntun)
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "0")
    siasn_a.inject("data-utama", 503, count=1000)  # SIASN down for the next run
    code, _out, _err = run()
    assert code == 1
    assert {(k.siasn_id, k.dikirim_at is not None) for k in kiriman(org_a).values()} == {("", True)}
    siasn_a.faults.clear()
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim, 0 tidak berubah, 0 gagal" in out
    assert siasn_a.posts() == []  # adopted from the riwayat, nothing posted blind
    assert len(_per_evaluasi(siasn_a)) == 3
    assert set(_per_evaluasi(siasn_a).values()) == {1}
