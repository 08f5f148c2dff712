"""HTML pages of the core app: who sees what (200 vs 404), auth pages, i18n, query counts."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django_scopes import scope

from kinerja.models import Instansi, Pegawai, User
from kinerja.services.delegasi import delegasi_create
from kinerja.validators import format_nip
from tests.conftest import PASSWORD, Org
from tests.factories import InstansiFactory, JabatanFactory, PegawaiFactory, UnitKerjaFactory

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(resp: HttpResponse) -> str:
    return resp.content.decode()


def choose_instansi(client: Client, instansi: Instansi) -> None:
    resp = client.post(reverse("platform-instansi"), {"kode": instansi.kode})
    assert resp.status_code == 302


# --------------------------------------------------------------------------------------- anonymous


@pytest.mark.parametrize("name", ["dashboard", "org-tree", "pegawai-list", "password_change"])
def test_anonymous_is_sent_to_login(db: Any, name: str) -> None:
    resp = client_for(None).get(reverse(name))
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("login"))


def test_login_page_renders_with_product_name_and_fields(db: Any) -> None:
    resp = client_for(None).get(reverse("login"))
    assert resp.status_code == 200
    body = text(resp)
    assert "Kinerja" in body
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert 'for="id_username"' in body  # labelled
    assert 'lang="id"' in body


# --------------------------------------------------------------------------------------- login, lockout


def test_login_wrong_password_shows_error_alert(org_a: Org) -> None:
    # given a pegawai
    client = client_for(None)
    # when they type a wrong password
    resp = client.post(reverse("login"), {"username": org_a.pegawai.nip, "password": "salah-sekali"})
    # then the page comes back with the non-field error and no session
    assert resp.status_code == 200
    assert 'data-testid="galat-form"' in text(resp)
    assert "NIP atau kata sandi salah" in text(resp)
    assert "_auth_user_id" not in client.session


def test_login_empty_fields_show_errors_under_fields(db: Any) -> None:
    resp = client_for(None).post(reverse("login"), {"username": "", "password": ""})
    body = text(resp)
    assert 'data-testid="galat-username"' in body
    assert 'data-testid="galat-password"' in body
    assert 'aria-invalid="true"' in body


def test_login_right_password_lands_on_dashboard(org_a: Org) -> None:
    client = client_for(None)
    resp = client.post(reverse("login"), {"username": org_a.pegawai.nip, "password": PASSWORD}, follow=True)
    assert resp.redirect_chain[-1][0] == reverse("dashboard")
    assert org_a.pegawai.nama in text(resp)


def test_lockout_page_after_five_failures(org_a: Org, settings: Any) -> None:
    # given five failed attempts
    client = client_for(None)
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        client.post(reverse("login"), {"username": org_a.pegawai.nip, "password": "salah"})
    # when the right password is tried while locked
    resp = client.post(reverse("login"), {"username": org_a.pegawai.nip, "password": PASSWORD})
    # then the lockout page answers and nobody is logged in
    assert resp.status_code == 429
    assert "registration/lockout.html" in [t.name for t in resp.templates]
    assert "dikunci" in text(resp)
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_returns_to_login(org_a: Org) -> None:
    client = client_for(org_a.pegawai.user)
    page = text(client.get(reverse("dashboard")))
    assert f'action="{reverse("logout")}"' in page
    resp = client.post(reverse("logout"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


# --------------------------------------------------------------------------------------- password change


def test_password_change_works(org_a: Org) -> None:
    user = org_a.pegawai.user
    client = client_for(user)
    assert client.get(reverse("password_change")).status_code == 200
    new = "Kinerja-Baru-2025!"
    resp = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert resp.status_code == 302
    assert resp["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(reverse("password_change_done")).status_code == 200  # session kept


def test_password_change_wrong_old_password_shows_field_error(org_a: Org) -> None:
    client = client_for(org_a.pegawai.user)
    resp = client.post(
        reverse("password_change"),
        {"old_password": "keliru", "new_password1": "X-baru-123!", "new_password2": "X-baru-123!"},
    )
    assert resp.status_code == 200
    assert 'data-testid="galat-old_password"' in text(resp)


# --------------------------------------------------------------------------------------- i18n


def test_language_switch_to_english_on_login_page(db: Any) -> None:
    # given the default language is Indonesian
    client = client_for(None)
    assert "Masuk ke akun Anda" in text(client.get(reverse("login")))
    # when the visitor switches to English
    resp = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert resp.status_code == 302
    # then the login page is in English
    body = text(client.get(reverse("login")))
    assert "Sign in to your account" in body
    assert "Password" in body
    assert 'lang="en"' in body
    assert "Masuk ke akun Anda" not in body


def test_language_switch_in_navbar_for_logged_in_user(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("dashboard")))
    assert f'action="{reverse("set_language")}"' in body
    client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    body = text(client.get(reverse("dashboard")))
    assert "Organisation" in body
    assert "Employees" in body


# --------------------------------------------------------------------------------------- dashboard


def test_dashboard_pegawai_sees_own_identity(org_a: Org) -> None:
    p = org_a.pegawai
    resp = client_for(p.user).get(reverse("dashboard"))
    assert resp.status_code == 200
    body = text(resp)
    assert p.nama in body
    assert format_nip(p.nip) in body
    assert "Pengadministrasi Umum" in body  # jabatan
    assert "Bidang Umum A" in body  # unit
    assert org_a.atasan.nama in body  # atasan
    assert org_a.instansi.nama in body  # navbar
    # no admin links for a plain pegawai
    assert reverse("org-tree") not in body
    assert reverse("impor") not in body
    assert 'data-testid="daftar-dinilai"' not in body


def test_dashboard_pejabat_penilai_sees_dinilai(org_a: Org) -> None:
    body = text(client_for(org_a.atasan.user).get(reverse("dashboard")))
    assert 'data-testid="daftar-dinilai"' in body
    assert org_a.pegawai.nama in body
    assert org_a.rekan.nama in body
    assert reverse("pegawai-detail", args=[org_a.pegawai.pk]) in body


def test_dashboard_admin_sees_counts_and_quick_links(org_a: Org) -> None:
    body = text(client_for(org_a.admin.user).get(reverse("dashboard")))
    assert 'data-testid="jumlah-pegawai">6<' in body
    assert 'data-testid="jumlah-unit">2<' in body
    for name in ("org-tree", "pegawai-list", "impor"):
        assert reverse(name) in body


def test_dashboard_hr_has_no_impor_link(org_a: Org) -> None:
    body = text(client_for(org_a.hr.user).get(reverse("dashboard")))
    assert 'data-testid="jumlah-pegawai">6<' in body
    assert reverse("org-tree") in body
    assert reverse("impor") not in body


def test_dashboard_empty_instansi_says_what_to_do(platform_admin: User) -> None:
    # given a platform admin acting in an instansi without any data
    kosong = InstansiFactory(kode="KOSONG")
    client = client_for(platform_admin)
    choose_instansi(client, kosong)
    # when they open the dashboard
    body = text(client.get(reverse("dashboard")))
    # then it tells them to import, with a link
    assert "Belum ada pegawai. Mulai dengan mengimpor data unit dan pegawai." in body
    assert reverse("impor") in body


def test_dashboard_query_count_does_not_grow_with_dinilai(org_a: Org) -> None:
    client = client_for(org_a.atasan.user)
    client.get(reverse("dashboard"))  # the first visit of the year makes its periods (once per instansi)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("dashboard")).status_code == 200
    for _ in range(20):
        PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.pegawai.unit_kerja,
            jabatan=org_a.pegawai.jabatan,
            atasan=org_a.atasan,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("dashboard")).status_code == 200
    assert len(many) == len(few)


# --------------------------------------------------------------------------------------- platform admin


def test_platform_admin_without_instansi_is_sent_to_choose(platform_admin: User) -> None:
    resp = client_for(platform_admin).get(reverse("dashboard"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("platform-instansi")


def test_platform_instansi_page_lists_and_chooses(platform_admin: User, org_a: Org, org_b: Org) -> None:
    client = client_for(platform_admin)
    body = text(client.get(reverse("platform-instansi")))
    assert org_a.instansi.nama in body
    assert org_b.instansi.nama in body
    resp = client.post(reverse("platform-instansi"), {"kode": "B"}, follow=True)
    assert resp.redirect_chain[-1][0] == reverse("dashboard")
    assert "Anda sekarang bertindak di instansi B" in text(resp)
    assert org_b.instansi.nama in text(resp)


def test_platform_instansi_unknown_kode_shows_error(platform_admin: User) -> None:
    resp = client_for(platform_admin).post(reverse("platform-instansi"), {"kode": "TIDAK-ADA"})
    assert resp.status_code == 200
    assert "Instansi tidak ditemukan." in text(resp)
    assert "alert-danger" in text(resp)


def test_platform_instansi_is_404_for_others(org_a: Org) -> None:
    assert client_for(org_a.admin.user).get(reverse("platform-instansi")).status_code == 404


# --------------------------------------------------------------------------------------- organisation


@pytest.mark.parametrize("who", ["admin", "hr"])
def test_org_tree_renders_for_admin_roles(org_a: Org, who: str) -> None:
    resp = client_for(getattr(org_a, who).user).get(reverse("org-tree"))
    assert resp.status_code == 200
    body = text(resp)
    top = org_a.kepala.unit_kerja
    bidang = org_a.pegawai.unit_kerja
    assert reverse("unit-detail", args=[top.pk]) in body
    assert reverse("unit-detail", args=[bidang.pk]) in body
    assert body.index(top.nama) < body.index(bidang.nama)  # tree order
    # top unit has a child: collapsible by its own toggle button (not a link inside <summary>)
    assert f'aria-controls="sub-unit-{top.pk}"' in body
    assert f'id="sub-unit-{top.pk}"' in body


def test_org_tree_empty_state(platform_admin: User) -> None:
    client = client_for(platform_admin)
    choose_instansi(client, InstansiFactory(kode="KOSONG"))
    body = text(client.get(reverse("org-tree")))
    assert 'data-testid="kosong-unit"' in body
    assert reverse("impor") in body


def test_unit_detail_breadcrumbs_subunits_and_subtree_pegawai(org_a: Org) -> None:
    top = org_a.kepala.unit_kerja
    bidang = org_a.pegawai.unit_kerja
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("unit-detail", args=[top.pk])))
    assert 'data-testid="daftar-subunit"' in body
    assert reverse("unit-detail", args=[bidang.pk]) in body
    assert org_a.pegawai.nama in body  # subtree: pegawai of the child unit
    body = text(client.get(reverse("unit-detail", args=[bidang.pk])))
    assert 'class="breadcrumb"' in body
    assert reverse("unit-detail", args=[top.pk]) in body  # ancestor link
    assert org_a.kepala.nama not in body  # not in this subtree


def test_unit_detail_paginates(org_a: Org) -> None:
    bidang = org_a.pegawai.unit_kerja
    for _ in range(26):
        PegawaiFactory(instansi=org_a.instansi, unit_kerja=bidang, jabatan=org_a.pegawai.jabatan)
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("unit-detail", args=[bidang.pk])))
    assert "hal=2" in body
    assert client.get(reverse("unit-detail", args=[bidang.pk]) + "?hal=2").status_code == 200


# --------------------------------------------------------------------------------------- pegawai list


@pytest.mark.parametrize("who", ["admin", "hr"])
def test_pegawai_list_renders_for_admin_roles(org_a: Org, who: str) -> None:
    resp = client_for(getattr(org_a, who).user).get(reverse("pegawai-list"))
    assert resp.status_code == 200
    body = text(resp)
    for p in (org_a.kepala, org_a.atasan, org_a.pegawai, org_a.rekan):
        assert p.nama in body
        assert format_nip(p.nip, p.status) in body
    # domain.md §10 NI PPPK: the PPPK rekan's number is grouped as birth / year / count / gender / sequence
    n = org_a.rekan.nip
    assert f"{n[:8]} {n[8:12]} {n[12:14]} {n[14]} {n[15:]}" in body
    assert format_nip(n) not in body
    assert 'hx-get="/pegawai/"' in body
    assert 'hx-trigger="keyup changed delay:300ms' in body
    assert 'hx-push-url="true"' in body
    assert "PPPK" in body  # status label of rekan


def test_pegawai_list_search_by_name_and_nip(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("pegawai-list"), {"q": org_a.rekan.nama}))
    assert org_a.rekan.nama in body
    assert reverse("pegawai-detail", args=[org_a.kepala.pk]) not in body
    body = text(client.get(reverse("pegawai-list"), {"q": org_a.kepala.nip}))
    assert reverse("pegawai-detail", args=[org_a.kepala.pk]) in body
    assert reverse("pegawai-detail", args=[org_a.rekan.pk]) not in body


def test_pegawai_list_htmx_returns_only_the_results_region(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    resp = client.get(reverse("pegawai-list"), {"q": org_a.rekan.nama}, HTTP_HX_REQUEST="true")
    body = text(resp)
    assert "<html" not in body
    assert 'data-testid="tabel-pegawai"' in body
    assert org_a.rekan.nama in body
    assert "HX-Request" in resp["Vary"]


def test_pegawai_list_htmx_history_restore_gets_the_full_page(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    resp = client.get(reverse("pegawai-list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in text(resp)


def test_pegawai_list_empty_search_state(org_a: Org) -> None:
    body = text(client_for(org_a.admin.user).get(reverse("pegawai-list"), {"q": "zzzz-tidak-ada"}))
    assert 'data-testid="kosong-pegawai"' in body
    assert "zzzz-tidak-ada" in body


def test_pegawai_list_pagination_keeps_query(org_a: Org) -> None:
    for i in range(30):
        PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.pegawai.unit_kerja,
            jabatan=org_a.pegawai.jabatan,
            nama=f"Sari Cari {i:02d}",
            user__nama=f"Sari Cari {i:02d}",
        )
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("pegawai-list"), {"q": "Sari Cari"}))
    assert "q=Sari+Cari&amp;hal=2" in body
    page2 = text(client.get(reverse("pegawai-list"), {"q": "Sari Cari", "hal": 2}))
    assert "Sari Cari 29" in page2
    assert "Sari Cari 00" not in page2


def test_pegawai_list_unit_filter(org_a: Org) -> None:
    bidang = org_a.pegawai.unit_kerja
    body = text(client_for(org_a.admin.user).get(reverse("pegawai-list"), {"unit": bidang.pk}))
    assert org_a.pegawai.nama in body
    assert reverse("pegawai-detail", args=[org_a.kepala.pk]) not in body


def make_small_org(n: int) -> tuple[Pegawai, Any, Any]:
    instansi = InstansiFactory()
    unit = UnitKerjaFactory(instansi=instansi)
    jabatan = JabatanFactory(instansi=instansi)
    admin = PegawaiFactory(instansi=instansi, unit_kerja=unit, jabatan=jabatan)
    for _ in range(n - 1):
        PegawaiFactory(instansi=instansi, unit_kerja=unit, jabatan=jabatan, atasan=admin)
    from kinerja.models import PeranInstansi

    PeranInstansi._base_manager.create(instansi=instansi, user=admin.user, role="admin_instansi")
    return admin, unit, jabatan


@pytest.mark.parametrize("htmx", [False, True])
def test_pegawai_list_query_count_is_constant(db: Any, htmx: bool) -> None:
    # given an instansi with 3 pegawai
    admin, unit, jabatan = make_small_org(3)
    client = client_for(admin.user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as few:
        resp = client.get(reverse("pegawai-list"), **headers)
    assert text(resp).count('data-testid="baris-pegawai"') == 3
    # when it grows to 300
    for _ in range(297):
        PegawaiFactory(instansi=admin.instansi, unit_kerja=unit, jabatan=jabatan, atasan=admin)
    with CaptureQueriesContext(connection) as many:
        resp = client.get(reverse("pegawai-list"), **headers)
    # then a (full) page costs the same number of queries
    assert text(resp).count('data-testid="baris-pegawai"') == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --------------------------------------------------------------------------------------- pegawai detail


def test_pegawai_detail_for_admin_shows_identity_atasan_bawahan_riwayat(org_a: Org) -> None:
    body = text(client_for(org_a.admin.user).get(reverse("pegawai-detail", args=[org_a.atasan.pk])))
    assert format_nip(org_a.atasan.nip) in body
    assert reverse("pegawai-detail", args=[org_a.kepala.pk]) in body  # atasan link
    assert 'data-testid="daftar-bawahan"' in body
    assert reverse("pegawai-detail", args=[org_a.pegawai.pk]) in body  # bawahan link
    assert 'data-testid="tabel-riwayat"' in body
    assert "Penempatan awal" in body
    assert "1 Jan 2020" in body


def test_pegawai_sees_own_detail_without_links_they_cannot_open(org_a: Org) -> None:
    client = client_for(org_a.pegawai.user)
    resp = client.get(reverse("pegawai-detail", args=[org_a.pegawai.pk]))
    assert resp.status_code == 200
    body = text(resp)
    assert org_a.atasan.nama in body
    assert reverse("pegawai-detail", args=[org_a.atasan.pk]) not in body  # would be 404 for them
    assert client.get(reverse("pegawai-detail", args=[org_a.atasan.pk])).status_code == 404


def test_atasan_sees_bawahan_detail(org_a: Org) -> None:
    client = client_for(org_a.atasan.user)
    body = text(client.get(reverse("pegawai-detail", args=[org_a.pegawai.pk])))
    assert org_a.pegawai.nama in body
    assert reverse("pegawai-detail", args=[org_a.atasan.pk]) in body  # their own page


@pytest.mark.parametrize(
    ("viewer", "target"), [("pegawai", "rekan"), ("pegawai", "kepala"), ("rekan", "pegawai")]
)
def test_pegawai_detail_is_404_when_not_related(org_a: Org, viewer: str, target: str) -> None:
    user = getattr(org_a, viewer).user
    assert (
        client_for(user).get(reverse("pegawai-detail", args=[getattr(org_a, target).pk])).status_code == 404
    )


def test_delegated_appraiser_sees_detail(org_a: Org, time_machine: Any) -> None:
    # given the atasan delegates (Plh) to a peer of the pegawai
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC))
    with scope(instansi=org_a.instansi.pk):
        delegasi_create(
            actor=None,
            instansi=org_a.instansi,
            pemberi=org_a.atasan,
            penerima=org_a.rekan,
            jenis="plh",
            mulai=dt.date(2025, 3, 1),
            selesai=dt.date(2025, 3, 31),
        )
    # when the delegate (a peer, not the atasan) opens the pegawai's page
    resp = client_for(org_a.rekan.user).get(reverse("pegawai-detail", args=[org_a.pegawai.pk]))
    # then it is allowed
    assert resp.status_code == 200


# --------------------------------------------------------------------------------------- wrong role / other tenant


@pytest.mark.parametrize("name", ["org-tree", "pegawai-list", "impor"])
@pytest.mark.parametrize("who", ["pegawai", "atasan"])
def test_admin_pages_are_404_for_pegawai_roles(org_a: Org, name: str, who: str) -> None:
    assert client_for(getattr(org_a, who).user).get(reverse(name)).status_code == 404


def test_impor_is_404_for_hr_viewer(org_a: Org) -> None:
    assert client_for(org_a.hr.user).get(reverse("impor")).status_code == 404


def test_unit_detail_is_404_for_pegawai(org_a: Org) -> None:
    url = reverse("unit-detail", args=[org_a.pegawai.unit_kerja_id])
    assert client_for(org_a.pegawai.user).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("unit-detail", "unit_top"),
        ("unit-detail", "unit_bidang"),
        ("pegawai-detail", "kepala"),
        ("pegawai-detail", "atasan"),
        ("pegawai-detail", "pegawai"),
        ("pegawai-detail", "admin"),
    ],
)
def test_ids_of_instansi_a_are_404_for_instansi_b_admin(
    org_a: Org, outsider: Pegawai, name: str, attr: str
) -> None:
    # given B's admin (outsider) and an object id of A
    pk = {
        "unit_top": org_a.kepala.unit_kerja_id,
        "unit_bidang": org_a.pegawai.unit_kerja_id,
    }.get(attr) or getattr(org_a, attr).pk
    client = client_for(outsider.user)
    # when they open it, then it does not exist for them
    resp = client.get(reverse(name, args=[pk]))
    assert resp.status_code == 404
    assert "Halaman tidak ditemukan" in text(resp)  # our 404 page, not a leak


def test_other_tenant_pages_show_only_own_data(org_a: Org, outsider: Pegawai) -> None:
    client = client_for(outsider.user)
    for name in ("org-tree", "pegawai-list", "dashboard"):
        body = text(client.get(reverse(name)))
        assert org_a.pegawai.nama not in body
        assert "Instansi A" not in body
        assert "Bidang Umum A" not in body
    searched = text(client.get(reverse("pegawai-list"), {"q": org_a.pegawai.nama}))
    assert reverse("pegawai-detail", args=[org_a.pegawai.pk]) not in searched
    assert 'data-testid="kosong-pegawai"' in searched
    # a unit filter with A's unit id is a 404, not an empty list
    assert client.get(reverse("pegawai-list"), {"unit": org_a.pegawai.unit_kerja_id}).status_code == 404


def test_404_page_is_indonesian_and_styled(org_a: Org) -> None:
    resp = client_for(org_a.pegawai.user).get("/tidak-ada-halaman-ini/")
    assert resp.status_code == 404
    assert "Halaman tidak ditemukan" in text(resp)
    assert "bootstrap.min.css" in text(resp)


def test_500_page_renders_without_request_context() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Terjadi kesalahan pada server" in html


# --------------------------------------------------------------------------------------- layout, tags


def test_layout_has_landmarks_csrf_htmx_and_vendored_assets(org_a: Org) -> None:
    body = text(client_for(org_a.admin.user).get(reverse("dashboard")))
    assert "<main" in body
    assert "<nav" in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert "/static/vendor/htmx/htmx.min.js" in body
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in body
    assert "/static/js/kinerja.js" in body
    assert "navbar-toggler" in body
    assert "http://" not in body.replace("http://www.w3.org", "")  # nothing from a CDN
    assert "https://" not in body


def _dummy(request: Any) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("skp/", include(([path("saya/", _dummy, name="saya")], "skp")))]


def test_url_or_none_tag(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    html = Template(
        "{% load kinerja_tags %}{% url_or_none 'skp:saya' as a %}{% url_or_none 'skp:inbox' as b %}[{{ a }}][{{ b }}]"
    ).render(Context({}))
    assert html == "[/skp/saya/][None]"


def test_nav_links_for_skp_follow_the_urls(org_a: Org) -> None:
    # The SKP pages come later; until then their links must not break the layout.
    from kinerja.templatetags.kinerja_tags import url_or_none

    body = text(client_for(org_a.atasan.user).get(reverse("dashboard")))
    assert ("SKP Saya" in body) == (url_or_none("skp:saya") is not None)
    assert ("Persetujuan SKP" in body) == (url_or_none("skp:inbox") is not None)
    body = text(client_for(org_a.hr.user).get(reverse("dashboard")))  # hr is no pejabat penilai
    assert "Persetujuan SKP" not in body
