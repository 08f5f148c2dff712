"""The log harian settings page (issue #19): admin_instansi only (everyone else 404, the outsider — admin of
B — changes B's settings, never A's), field-level messages for out-of-range numbers (nothing written),
success message, audit row through the service, the links to it, query count."""

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from dialog.log_harian_selectors import pengaturan_log_harian
from dialog.models import PengaturanLogHarian
from kinerja.models import AuditLog
from tests.conftest import Org


def lihat(org: Org) -> PengaturanLogHarian:
    with scope(instansi=org.instansi.pk):
        return pengaturan_log_harian(instansi=org.instansi)


URL = "/dialog/log-harian/pengaturan/"
BARU = {"aktif": "on", "hari_kunci": "12", "pengingat_aktif": "on", "pengingat_hari_kerja": "4"}


def as_user(client: Client, pegawai: Any) -> Client:
    client.force_login(pegawai.user)
    return client


def test_admin_reads_defaults_and_saves(
    client: Client, org_a: Org, org_b: Org, django_assert_max_num_queries: Any
) -> None:
    c = as_user(client, org_a.admin)
    with django_assert_max_num_queries(15):
        r = c.get(URL)
    assert r.status_code == 200
    assert r.context["form"].initial == {
        "aktif": True, "hari_kunci": 5, "pengingat_aktif": False, "pengingat_hari_kerja": 3,
    }  # fmt: skip
    html = r.content.decode()
    assert 'data-testid="form-pengaturan-log"' in html
    assert 'data-testid="nav-pengaturan-log"' in html  # in the Administrasi menu
    with django_assert_max_num_queries(20):
        r = c.post(URL, BARU)
    assert r.status_code == 302
    assert r["Location"] == URL
    r = c.get(URL)
    assert "Pengaturan log harian tersimpan." in r.content.decode()
    assert r.context["form"].initial == {
        "aktif": True, "hari_kunci": 12, "pengingat_aktif": True, "pengingat_hari_kerja": 4,
    }  # fmt: skip
    with scope(instansi=org_a.instansi.pk):
        log = AuditLog.objects.get(action="log_harian.pengaturan", instansi=org_a.instansi)
    assert (log.before["hari_kunci"], log.after["hari_kunci"]) == (5, 12)
    assert (log.before["pengingat_aktif"], log.after["pengingat_aktif"]) == (False, True)
    # an unticked box switches off
    assert c.post(URL, {"hari_kunci": "12", "pengingat_hari_kerja": "4"}).status_code == 302
    p = lihat(org_a)
    assert (p.aktif, p.pengingat_aktif) == (False, False)
    # B untouched
    assert lihat(org_b).hari_kunci == 5


@pytest.mark.parametrize(
    ("change", "field", "pesan"),
    [({"hari_kunci": "-1"}, "hari_kunci", "Isi antara 0 dan 60 hari"),
     ({"hari_kunci": "61"}, "hari_kunci", "Isi antara 0 dan 60 hari"),
     ({"hari_kunci": "lima"}, "hari_kunci", ""),
     ({"hari_kunci": ""}, "hari_kunci", ""),
     ({"pengingat_hari_kerja": "0"}, "pengingat_hari_kerja", "Isi antara 1 dan 20 hari kerja"),
     ({"pengingat_hari_kerja": "21"}, "pengingat_hari_kerja", "Isi antara 1 dan 20 hari kerja")],
)  # fmt: skip
def test_bad_input_is_shown_on_the_field_and_nothing_is_written(
    client: Client, org_a: Org, change: dict[str, str], field: str, pesan: str
) -> None:
    r = as_user(client, org_a.admin).post(URL, {**BARU, **change})
    assert r.status_code == 422
    form = r.context["form"]
    assert list(form.errors) == [field]
    assert pesan in form.errors[field][0]
    html = r.content.decode()
    assert f'data-testid="galat-{field}"' in html
    assert 'aria-invalid="true"' in html
    if change[field]:
        assert f'value="{change[field]}"' in html  # what was typed is kept
    with scope(instansi=org_a.instansi.pk):
        assert not PengaturanLogHarian.objects.exists()
        assert not AuditLog.objects.filter(action="log_harian.pengaturan").exists()


def test_only_the_admin_others_404_and_the_outsider_changes_only_b(
    client: Client, org_a: Org, org_b: Org, outsider: Any
) -> None:
    for p in (org_a.pegawai, org_a.atasan, org_a.kepala, org_a.hr):
        c = as_user(Client(), p)
        assert c.get(URL).status_code == 404
        assert c.post(URL, BARU).status_code == 404
        r = c.get("/dialog/log-harian/")
        assert 'data-testid="subnav-pengaturan-log"' not in r.content.decode()
    assert Client().get(URL).status_code == 302  # to the login page
    with scope(instansi=org_a.instansi.pk):
        assert not PengaturanLogHarian.objects.exists()
    # the outsider is admin of B: the page is B's, the write lands in B
    c = as_user(client, outsider)
    assert c.post(URL, {**BARU, "hari_kunci": "9"}).status_code == 302
    assert lihat(org_b).hari_kunci == 9
    assert lihat(org_a).hari_kunci == 5
    # the admin of A finds it from the log harian page too
    r = as_user(Client(), org_a.admin).get("/dialog/log-harian/")
    assert 'data-testid="subnav-pengaturan-log"' in r.content.decode()
