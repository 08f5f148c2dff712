"""Resuming after a hard kill without duplicates (issue #18): the write-ahead intent (``KirimanSiasn.dikirim_at``)
and the reconciliation with ``pns/rw-skp22/{nip}`` on the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from evaluasi.models import LogSiasn
from evaluasi.siasn import kirim as kirim_mod
from tests.conftest import Org, database_url
from tests.siasn.conftest import TAHUN, finalise, more_rated
from tests.siasn.fake import FakeSiasn
from tests.siasn.test_kirim import kiriman, run


def _rw(fake: FakeSiasn) -> list[dict[str, Any]]:
    return [r for r in fake.requests if "/pns/rw-skp22/" in r["path"]]


def _satu_rekaman_per_pegawai(fake: FakeSiasn, n: int) -> None:
    """SIASN holds exactly one skp22 record per evaluation (pegawai and year)."""
    per = Counter((r["pnsDinilaiOrang"], r["tahun"]) for r in fake.records.values())
    assert len(per) == n
    assert set(per.values()) == {1}, per


def _log_rekon(org: Org) -> list[LogSiasn]:
    with scopes_disabled():
        return list(
            LogSiasn._base_manager.filter(instansi=org.instansi, endpoint="pns/rw-skp22").order_by("id")
        )


def _hilangkan_jawaban(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hard kill between SIASN's answers and their storage: every stored batch of answers is lost (the
    write-ahead intent, written by its own statement, is not)."""
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", lambda **kw: None)


@pytest.mark.django_db
def test_answers_lost_after_siasn_stored_them_are_adopted_not_sent_again(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kirim_mod._simpan_jawaban
    _hilangkan_jawaban(monkeypatch)
    assert run()[0] == 0
    assert _rw(siasn_a) == []  # a normal run never asks for the riwayat
    _satu_rekaman_per_pegawai(siasn_a, 3)
    # SIASN holds the three; Kinerja only knows they were in flight (the intent, committed before the calls)
    assert {(k.status, k.siasn_id, k.dikirim_at is not None) for k in kiriman(org_a).values()} == {
        ("dikirim", "", True)
    }
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim, 0 tidak berubah, 0 gagal" in out
    # one riwayat lookup per in-doubt evaluation, and no save: SIASN already has these values
    assert len(_rw(siasn_a)) == 3
    assert siasn_a.saves() == []
    _satu_rekaman_per_pegawai(siasn_a, 3)
    # Kinerja has every id SIASN gave, the intent is cleared, and the reconciliation is audited
    ks = kiriman(org_a)
    assert {k.siasn_id for k in ks.values()} == set(siasn_a.records)
    assert {(k.status, k.dikirim_at) for k in ks.values()} == {("terkirim", None)}
    log = _log_rekon(org_a)
    assert len(log) == 3
    assert {entry.siasn_id for entry in log} == set(siasn_a.records)
    assert all("tidak dikirim ulang" in entry.pesan and entry.hasil == "terkirim" for entry in log)
    # the next run is a normal one: nothing in doubt, nothing changed, no call at all
    siasn_a.requests.clear()
    code, out, _ = run()
    assert "0 terkirim, 3 tidak berubah" in out
    assert [r for r in siasn_a.requests if r["path"].startswith("/apisiasn")] == []


@pytest.mark.django_db
def test_an_in_doubt_evaluation_changed_since_is_sent_as_an_update_of_the_adopted_record(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kirim_mod._simpan_jawaban
    _hilangkan_jawaban(monkeypatch)
    assert run()[0] == 0
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    # SIASN lost nothing but one pegawai is re-rated before the next run; another record never reached SIASN
    finalise(org_a.rekan, "di_atas_ekspektasi", "di_atas_ekspektasi")
    pns_atasan = f"pns-{org_a.atasan.nip}"
    hilang = next(rid for rid, r in siasn_a.records.items() if r["pnsDinilaiOrang"] == pns_atasan)
    del siasn_a.records[hilang]
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim" in out
    saves = {s["json"]["pnsDinilaiOrang"]: s["json"] for s in siasn_a.saves()}
    assert set(saves) == {f"pns-{org_a.rekan.nip}", pns_atasan}
    rekan_rid = next(
        rid for rid, r in siasn_a.records.items() if r["pnsDinilaiOrang"] == f"pns-{org_a.rekan.nip}"
    )
    assert saves[f"pns-{org_a.rekan.nip}"]["id"] == rekan_rid  # an update of the record SIASN had
    assert (
        siasn_a.records[rekan_rid]["hasilKinerjaNilai"]
        == saves[f"pns-{org_a.rekan.nip}"]["hasilKinerjaNilai"]
    )
    assert saves[pns_atasan]["id"] is None  # SIASN had none of that year: a first send
    _satu_rekaman_per_pegawai(siasn_a, 3)
    assert {k.siasn_id for k in kiriman(org_a).values()} == set(siasn_a.records)
    pesan = {entry.nip: entry.pesan for entry in _log_rekon(org_a)}
    assert "nilai lain" in pesan[org_a.rekan.nip]
    assert "belum menyimpan" in pesan[org_a.atasan.nip]
    assert "nilai yang sama" in pesan[org_a.pegawai.nip]


@pytest.mark.django_db
def test_a_failing_riwayat_lookup_reports_the_pegawai_and_never_posts_blind(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kirim_mod._simpan_jawaban
    _hilangkan_jawaban(monkeypatch)
    assert run()[0] == 0
    monkeypatch.setattr(kirim_mod, "_simpan_jawaban", real)
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "1")
    siasn_a.inject(f"rw-skp22/{org_a.rekan.nip}", 500, count=2)  # 5xx after the retries
    siasn_a.inject(f"rw-skp22/{org_a.atasan.nip}", 403, count=1)  # a refusal
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 1
    assert "1 terkirim, 0 tidak berubah, 2 gagal" in out
    assert err.count("pns/rw-skp22") == 2
    assert "tidak dikirim" in err
    assert siasn_a.saves() == []  # nothing posted blind
    _satu_rekaman_per_pegawai(siasn_a, 3)
    ks = kiriman(org_a)
    for p in (org_a.rekan, org_a.atasan):  # still in doubt: the next run asks again
        assert (ks[p.nip].status, ks[p.nip].siasn_id, ks[p.nip].dikirim_at is not None) == ("gagal", "", True)
    assert {entry.hasil for entry in _log_rekon(org_a) if entry.nip != org_a.pegawai.nip} == {"gagal"}
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "2 terkirim, 1 tidak berubah" in out
    assert len(_rw(siasn_a)) == 2
    assert siasn_a.saves() == []
    assert {k.siasn_id for k in kiriman(org_a).values()} == set(siasn_a.records)


@pytest.mark.django_db
def test_a_refused_first_send_clears_the_intent_a_timeout_keeps_it(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pertama, *_tengah, terakhir = sorted(year_a, key=lambda p: p.pk)  # the order of the sends
    siasn_a.nip_400[terakhir.nip] = "nilai ditolak"
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "0")
    siasn_a.inject("skp22/save", 502, count=1)  # the first save (one pegawai in flight at first): unknown
    assert run()[0] == 1
    ks = kiriman(org_a)
    ragu = [nip for nip, k in ks.items() if k.dikirim_at is not None]
    # the 502 may have been stored: in doubt; SIASN clearly refused the other: nothing to reconcile
    assert ragu == [pertama.nip]
    assert (ks[pertama.nip].status, ks[terakhir.nip].status) == ("gagal", "gagal")
    del siasn_a.nip_400[terakhir.nip]
    siasn_a.requests.clear()
    assert run()[0] == 0
    assert [r["path"].rsplit("/", 1)[1] for r in _rw(siasn_a)] == ragu
    _satu_rekaman_per_pegawai(siasn_a, 3)


# ---------------------------------------------------------------------------------------------- real SIGKILL


@pytest.mark.django_db(transaction=True)
def test_sigkill_of_a_real_send_process_then_a_rerun_leaves_one_record_per_evaluation(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``manage.py siasn_kirim`` in a real process, killed with SIGKILL while SIASN has stored records whose
    answers are still on their way (the fake answers 0.5 s after storing); the re-run completes the year
    with exactly one skp22 record per evaluation, and Kinerja has every id."""
    more_rated(org_a, 17)  # 20 pegawai
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "4")
    siasn_a.latency_after_save = 0.5
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinerja.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
    }
    argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "siasn_kirim", "--instansi", "A"]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter, manage.py
        [*argv, "--tahun", str(TAHUN)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        batas = time.monotonic() + 30
        while len(siasn_a.records) < 6 and proc.poll() is None and time.monotonic() < batas:
            time.sleep(0.005)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.6)  # the saves SIASN was answering when the process died are stored there
    di_siasn = len(siasn_a.records)
    ks = kiriman(org_a)
    dikenal = {k.siasn_id for k in ks.values() if k.siasn_id}
    ragu = [nip for nip, k in ks.items() if k.dikirim_at is not None and not k.siasn_id]
    assert len(dikenal) < di_siasn  # SIASN holds records Kinerja never learnt of (the old duplicate window)
    assert len(ragu) >= di_siasn - len(dikenal)
    # the killed process's lease would lapse after KUNCI_LEASE seconds; the test does not wait for it
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(f"kinerja:siasn_kirim:{org_a.instansi.pk}")
    siasn_a.latency_after_save = 0.0
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert "0 gagal dari 20" in out
    _satu_rekaman_per_pegawai(siasn_a, 20)
    ks = kiriman(org_a)
    assert {k.siasn_id for k in ks.values()} == set(siasn_a.records)
    assert {(k.status, k.dikirim_at) for k in ks.values()} == {("terkirim", None)}
    # only the in-doubt evaluations paid the riwayat lookup
    assert sorted(r["path"].rsplit("/", 1)[1] for r in _rw(siasn_a)) == sorted(ragu)
    assert len(_log_rekon(org_a)) == len(ragu)
