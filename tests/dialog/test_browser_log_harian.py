"""Chromium on a 390 px phone: a pegawai's day (log an entry with evidence, copy yesterday's entry, the
day's total), a leader's day (verify the team's logs in bulk: reject one with a note, accept the rest),
the pegawai correcting the rejected entry. axe on both pages; screenshots kept when
``KINERJA_SCREENSHOT_DIR`` is set (they were looked at when this was written).
"""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, expect

from dialog.models import LogHarian
from dialog.services import log_harian as svc
from tests.axe import axe_violations
from tests.conftest import build_org
from tests.dialog.conftest import make_skp, periods, rhk_of
from tests.dialog.test_browser_dialog import PHONE, login, no_horizontal_scroll, screenshot
from tests.dialog.test_log_harian_api import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _blocking(page: Any) -> list[Any]:
    return [v for v in axe_violations(page) if v.impact in ("critical", "serious")]


def _teks_terpotong(page: Any, selector: str) -> float:
    """How many px of a select's chosen label do not fit in its box (measured with the select's own font)."""
    return float(
        page.evaluate(
            """sel => {
                const el = document.querySelector(sel);
                const cs = getComputedStyle(el);
                const ctx = document.createElement("canvas").getContext("2d");
                ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
                const text = ctx.measureText(el.options[el.selectedIndex].text).width;
                const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
                return text - room;
            }""",
            selector,
        )
    )


def test_pegawai_day_and_leader_day_on_a_phone(live_server: Any, browser: Browser, tmp_path: Path) -> None:
    org = build_org("A")
    today = timezone.localdate()
    periods(org, today.year)
    skp = make_skp(org, org.pegawai, tahun=today.year)
    rhk = rhk_of(org, skp)
    # an earlier working day's entry, for "copy yesterday"
    kemarin = today - dt.timedelta(
        days=1 if today.weekday() not in (0, 6) else (3 if today.weekday() == 0 else 2)
    )
    if kemarin.month != today.month and today.day > 5:
        kemarin = today
    with scope(instansi=org.instansi.pk):
        svc.log_harian_create(
            actor=org.pegawai.user, instansi=org.instansi, tanggal=kemarin, rhk_id=rhk[1].pk,
            uraian="Mengolah data presensi bulanan", durasi_menit=90,
        )  # fmt: skip
    bukti = tmp_path / "foto-rapat.png"
    bukti.write_bytes(png_bytes())
    base = live_server.url

    # ---- the pegawai's day
    page = login(browser, base, org.pegawai.nip, PHONE)
    page.goto(f"{base}/dialog/log-harian/")
    expect(page.get_by_label("Tanggal")).to_have_value(f"{today:%Y-%m-%d}")
    expect(page.get_by_label("Hasil kerja (RHK)")).to_have_value(str(rhk[1].pk))  # last RHK remembered
    page.get_by_label("Hasil kerja (RHK)").select_option(str(rhk[0].pk))
    page.get_by_label("Apa yang Anda kerjakan").fill("Rapat koordinasi persiapan apel pagi")
    page.get_by_label("Durasi (menit)").fill("60")
    page.get_by_text("Rencana aksi, tautan, dan bukti (opsional)").click()
    page.locator("#id_berkas").set_input_files(str(bukti))
    page.get_by_test_id("simpan-log").click()
    expect(page.get_by_test_id("daftar-log")).to_contain_text("Rapat koordinasi persiapan apel pagi")
    expect(page.get_by_test_id("daftar-log")).to_contain_text("foto-rapat.png")
    expect(page.get_by_test_id("total-hari")).to_contain_text("60 dari 1440 menit")
    # copy yesterday's entry: the form comes back filled in, dated today
    page.get_by_test_id("salin-kemarin").click()
    expect(page.get_by_label("Apa yang Anda kerjakan")).to_have_value("Mengolah data presensi bulanan")
    expect(page.get_by_label("Durasi (menit)")).to_have_value("90")
    expect(page.get_by_label("Tanggal")).to_have_value(f"{today:%Y-%m-%d}")
    page.get_by_test_id("simpan-log").click()
    expect(page.get_by_test_id("total-hari")).to_contain_text("150 dari 1440 menit")
    no_horizontal_scroll(page)
    screenshot(page, "log-harian-pegawai-phone")
    assert _blocking(page) == []

    # ---- the leader's day: verify in bulk
    with scope(instansi=org.instansi.pk):
        logs = {x.uraian: x.pk for x in LogHarian.objects.filter(pegawai=org.pegawai, tanggal=today)}
    lead = login(browser, base, org.atasan.nip, PHONE)
    lead.goto(f"{base}/dialog/log-harian/verifikasi/")
    expect(lead.get_by_test_id("daftar-verifikasi")).to_contain_text("Rapat koordinasi persiapan apel pagi")
    # the status filter shows its whole label on the phone ("Menunggu verifikasi" was cut)
    expect(lead.locator("#f-status")).to_have_value("menunggu")
    assert _teks_terpotong(lead, "#f-status") <= 0
    screenshot(lead, "log-harian-verifikasi-phone")
    no_horizontal_scroll(lead)
    assert _blocking(lead) == []
    lead.locator(f"#log-{logs['Rapat koordinasi persiapan apel pagi']}").check()
    lead.get_by_label("Catatan (wajib saat menolak)").fill("Sebutkan hasil rapatnya.")
    lead.get_by_test_id("tolak-terpilih").click()
    expect(lead.get_by_text("1 log ditolak.")).to_be_visible()
    lead.get_by_label("Pilih semua").check()
    lead.get_by_test_id("terima-terpilih").click()
    expect(lead.get_by_test_id("verifikasi-kosong")).to_be_visible()  # nothing waiting any more this week
    with scope(instansi=org.instansi.pk):
        statuses = dict(LogHarian.objects.filter(pk__in=logs.values()).values_list("uraian", "status"))
    assert statuses == {
        "Rapat koordinasi persiapan apel pagi": "ditolak",
        "Mengolah data presensi bulanan": "diterima",
    }

    # ---- the pegawai corrects the rejected entry: it goes back to "menunggu"
    page.goto(f"{base}/dialog/log-harian/?status=ditolak")
    expect(page.get_by_test_id("daftar-log")).to_contain_text("Sebutkan hasil rapatnya.")
    page.get_by_test_id("ubah-log").click()
    page.get_by_label("Apa yang Anda kerjakan").fill(
        "Rapat koordinasi apel pagi: 3 keputusan, notulen terlampir"
    )
    page.get_by_test_id("simpan-ubah-log").click()
    expect(page.get_by_test_id("daftar-log")).to_contain_text("3 keputusan")
    screenshot(page, "log-harian-perbaikan-phone")
    with scope(instansi=org.instansi.pk):
        assert LogHarian.objects.get(pk=logs["Rapat koordinasi persiapan apel pagi"]).status == "menunggu"


def test_admin_changes_the_settings_on_a_phone(live_server: Any, browser: Browser) -> None:
    """The settings page (admin_instansi): found in the log harian menu, a bad number is refused under its
    field, a good one is saved; axe at 390 px."""
    from dialog.log_harian_selectors import pengaturan_log_harian

    org = build_org("A")
    base = live_server.url
    page = login(browser, base, org.admin.nip, PHONE)
    page.goto(f"{base}/dialog/log-harian/pengaturan/")
    expect(page.get_by_test_id("subnav-pengaturan-log")).to_have_class("nav-link active")
    page.get_by_label("Hari kunci setelah akhir bulan").fill("61")
    page.get_by_label("Kirim pengingat kepada pegawai yang belum mengisi log").check()
    page.get_by_test_id("simpan-pengaturan-log").click()
    expect(page.get_by_test_id("galat-hari_kunci")).to_contain_text("Isi antara 0 dan 60 hari")
    expect(page.get_by_label("Kirim pengingat kepada pegawai yang belum mengisi log")).to_be_checked()
    no_horizontal_scroll(page)
    screenshot(page, "log-harian-pengaturan-galat-phone")
    assert _blocking(page) == []
    page.get_by_label("Hari kunci setelah akhir bulan").fill("10")
    page.get_by_test_id("simpan-pengaturan-log").click()
    expect(page.get_by_text("Pengaturan log harian tersimpan.")).to_be_visible()
    screenshot(page, "log-harian-pengaturan-phone")
    assert _blocking(page) == []
    with scope(instansi=org.instansi.pk):
        p = pengaturan_log_harian(instansi=org.instansi)
    assert (p.hari_kunci, p.pengingat_aktif) == (10, True)
