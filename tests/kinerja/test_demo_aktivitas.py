"""The living demo (issue #14): ``seed_demo`` builds ~300 pegawai with a year and a bit of activity.

One full seed per test module would need a module-scoped database; the seed takes ~20 s, so the
checks share one test: given today = 7 December 2026, seed, check the shape, seed again, nothing changes.
"""

import datetime as dt
import time
from collections import Counter
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q
from django_scopes import scopes_disabled

from dialog.models import BalasanUmpanBalik, BuktiDukung, Notifikasi, Realisasi, UmpanBalik
from evaluasi.models import BatchChunk, Evaluasi, TindakLanjut
from kinerja import demo
from kinerja.models import AuditLog, Instansi, Pegawai, User
from kinerja.models.org import JPT
from skp.models import Indikator, Rhk, Skp, SkpStatusChange

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
MODELS = [Pegawai, User, Skp, Rhk, Indikator, SkpStatusChange, Realisasi, BuktiDukung, UmpanBalik,
          BalasanUmpanBalik, Evaluasi, BatchChunk, TindakLanjut, Notifikasi, AuditLog]  # fmt: skip


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {m.__name__: m.objects.count() for m in MODELS}


def _seed() -> tuple[str, float]:
    out = StringIO()
    t0 = time.perf_counter()
    call_command("seed_demo", stdout=out)
    return out.getvalue(), time.perf_counter() - t0


@time_machine.travel(TODAY, tick=True)
def test_seed_demo_builds_a_living_demo_idempotently(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    # when the demo is seeded on 7 December 2026
    out, seconds = _seed()
    # then it took well under a minute (measured on a shared 2-core machine: ~20 s)
    assert seconds < 60, seconds
    print(f"seed_demo: {seconds:.1f} s")
    with scopes_disabled():
        instansi = Instansi.objects.get(kode="DEMO")
        pegawai = {p.pk: p for p in Pegawai.objects.filter(instansi=instansi).select_related("jabatan")}
        skp = list(Skp.objects.filter(instansi=instansi))
        # ~300 pegawai, every one with an SKP last year and this year
        assert 290 <= len(pegawai) <= 310
        assert Counter(s.tahun for s in skp) == {2025: len(pegawai), 2026: len(pegawai)}
        # last year: everything approved; this year: every state, mostly approved
        assert {s.status for s in skp if s.tahun == 2025} == {"disetujui"}
        now = Counter(s.status for s in skp if s.tahun == 2026)
        assert set(now) == {"draft", "diajukan", "dikembalikan", "disetujui"}, now
        assert now["disetujui"] > len(pegawai) * 0.6
        # leaders' SKPs (anyone with bawahan) are approved, so a subordinate's cascade has something to link
        leaders = {p.atasan_id for p in pegawai.values() if p.atasan_id}
        assert all(s.status == "disetujui" for s in skp if s.pegawai_id in leaders)
        # the demo pejabat penilai's own team shows every state, with a note on the returned one
        kasi = Pegawai.objects.get(nip=demo.SUKAMAJU.by_key("kasi_kur").nip)
        tim = [s for s in skp if s.tahun == 2026 and s.pejabat_penilai_id == kasi.pk]
        assert {s.status for s in tim} == {"draft", "diajukan", "dikembalikan", "disetujui"}
        kembali = [s for s in skp if s.status == "dikembalikan"]
        assert all(s.catatan_pengembalian for s in kembali)
        assert SkpStatusChange.objects.filter(skp__in=kembali, ke="dikembalikan").exclude(
            catatan=""
        ).count() == len(kembali)
        # the demo pegawai's SKP is approved and cascades from the leader's
        own = next(
            s for s in skp if s.tahun == 2026 and s.pegawai.nip == demo.SUKAMAJU.by_key("pel_kur1").nip
        )
        assert own.status == "disetujui"
        assert own.snapshot_pegawai
        assert own.snapshot_penilai
        # frozen like skp_approve freezes them (issue #14): instansi, core values, each leader text
        assert own.snapshot_instansi["nama"] == instansi.nama
        assert len(own.snapshot_perilaku) == 7
        assert all(s.snapshot_instansi for s in skp if s.status == "disetujui")
        assert not any(s.snapshot_instansi for s in skp if s.status != "disetujui")
        utama = Rhk.objects.filter(
            skp__in=[s for s in skp if s.status == "disetujui"], jenis="utama"
        ).select_related("skp__pegawai__jabatan", "rhk_pimpinan__skp", "tim_kerja")
        for r in utama:
            p = r.skp.pegawai
            if p.atasan_id and p.jabatan.jenis not in JPT and not p.tugas_belajar:
                assert r.rhk_pimpinan is not None, r
                # the structural leader's result, or (tim kerja, issue #16) the ketua tim's
                if r.tim_kerja_id:
                    assert r.rhk_pimpinan.skp.pegawai_id == r.tim_kerja.ketua_id
                else:
                    assert r.rhk_pimpinan.skp.pegawai_id == p.atasan_id
                assert r.rhk_pimpinan.skp.tahun == r.skp.tahun
                assert r.rhk_pimpinan_teks == r.rhk_pimpinan.rencana_hasil_kerja
        # realisasi with evidence (links everywhere, real files for the demo team) and feedback threads
        assert (
            Realisasi.objects.filter(instansi=instansi, periode__tahun=2026, periode__nomor=3).count() > 300
        )
        berkas = list(BuktiDukung.objects.filter(instansi=instansi, jenis="berkas"))
        assert len(berkas) >= 3
        assert {b.tipe_konten for b in berkas} == {"image/png", "application/pdf"}
        for b in berkas:
            with b.berkas.open("rb") as f:
                assert f.read(4) in (b"\x89PNG", b"%PDF")
        assert BuktiDukung.objects.filter(instansi=instansi, jenis="tautan").count() > 500
        assert UmpanBalik.objects.filter(instansi=instansi, periode__tahun=2026).count() > 500
        assert BalasanUmpanBalik.objects.filter(instansi=instansi).count() > 100
        assert UmpanBalik.objects.filter(penerima=own.pegawai, peran_pemberi="rekan_kerja").exists()
        # periodic ratings: every ended quarter rated, the current one (IV/2026) open
        periodik = Evaluasi.objects.filter(instansi=instansi, jenis="periodik")
        for row in (
            periodik.filter(tahun=2026)
            .values("periode__nomor")
            .annotate(n=Count("id"), dinilai=Count("id", filter=~Q(status="belum_dinilai")))
        ):
            if row["periode__nomor"] <= 3:
                assert row["dinilai"] == row["n"] > 0, row
            else:
                assert row["dinilai"] == 0, row
        assert not periodik.filter(tahun=2025, status="belum_dinilai").exists()
        # last year finalised by the year-end batch on 20 January, with its follow-ups and notifications
        tahunan = Evaluasi.objects.filter(instansi=instansi, jenis="tahunan", tahun=2025)
        assert tahunan.count() == len(pegawai)
        assert set(tahunan.values_list("status", flat=True)) == {"final"}
        assert {e.final_at.date() for e in tahunan} == {dt.date(2026, 1, 20)}
        assert len(set(tahunan.values_list("predikat", flat=True))) >= 3
        assert TindakLanjut.objects.filter(instansi=instansi, tahun=2025).exists()
        final_notif = Notifikasi.objects.filter(instansi=instansi, kunci="evaluasi-tahunan-final-2025")
        assert final_notif.count() == len(pegawai)
        assert not final_notif.filter(dibaca_at__isnull=True).exists()  # told in January, read long ago
        # this year's annual evaluations are not rated yet
        assert (
            not Evaluasi.objects.filter(instansi=instansi, jenis="tahunan", tahun=2026)
            .exclude(status="belum_dinilai")
            .exists()
        )
        # the Pejabat Penilai is told about the SKPs waiting for them
        assert Notifikasi.objects.filter(penerima=kasi.user, jenis="skp_diajukan").exists()
        # the Bupati (a non-ASN Pejabat Penilai, issue #16) gave the Sekda one feedback item
        sekda = Pegawai.objects.get(nip=demo.SUKAMAJU.by_key("sekda").nip)
        dari_bupati = UmpanBalik.objects.filter(penerima=sekda, pemberi_non_asn__user__nip="bupati.sukamaju")
        assert dari_bupati.count() == 1
        assert dari_bupati.get().pemberi_id is None
        assert Notifikasi.objects.filter(
            penerima=sekda.user, jenis="umpan_balik", judul__contains="Dedi"
        ).exists()
        # DEMO2 has its own, smaller activity (monthly cycle)
        demo2 = Instansi.objects.get(kode="DEMO2")
        assert (
            Skp.objects.filter(instansi=demo2).count() == 2 * Pegawai.objects.filter(instansi=demo2).count()
        )
    assert "DEMO aktivitas (" in out

    # when it runs again, nothing changes
    first = _counts()
    out2, _ = _seed()
    assert _counts() == first
    assert "sudah ada, tidak ada yang ditambahkan" in out2


def test_demo_logins_prints_a_walkthrough(db: Any) -> None:
    call_command("seed_demo", "--tanpa-aktivitas", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    table_end = text.index("Semua pegawai demo lainnya")
    langkah = [line for line in text[table_end:].splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert len(langkah) == 5
    # it names who to log in as (by NIP) for each step
    for nip in (
        demo.SUKAMAJU.by_key("kasi_kur").nip,
        demo.SUKAMAJU.by_key("pel_kur1").nip,
        demo.SUKAMAJU.by_key("asdm_muda").nip,
        demo.BADAN_CONTOH.by_key("asdm_madya").nip,
    ):
        assert any(nip in line for line in langkah), nip
