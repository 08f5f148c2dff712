"""The base layout's menu by role (``kinerja.context_processors.kinerja``: ``nav_kinerja`` = pegawai or
Pejabat Penilai, ``nav_tim`` = that or the organisation roles; one place instead of the role checks the
template repeated). Evaluasi and Umpan balik for nav_kinerja; Tim Kerja for nav_tim; the SKP inbox for
Pejabat Penilai only."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.models import User
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def _menu(client: Client) -> dict[str, bool]:
    html = client.get("/").content.decode()
    nav = html[html.index('id="nav-utama"') : html.index("</nav>")]
    return {
        "evaluasi": f'href="{reverse("evaluasi:daftar")}"' in nav,
        "dialog": f'href="{reverse("dialog:beranda")}"' in nav,
        "tim": 'data-testid="nav-tim"' in nav,
        "persetujuan": 'data-testid="nav-persetujuan"' in nav,
        "tim_pk": 'data-testid="nav-tim-pk"' in nav,
    }


def test_menu_follows_the_roles(org_a: Org, org_b: Org) -> None:
    def web(user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c

    pegawai = _menu(web(org_a.pegawai.user))
    assert pegawai == {"evaluasi": True, "dialog": True, "tim": True, "persetujuan": False, "tim_pk": True}
    penilai = _menu(web(org_a.atasan.user))
    assert penilai == {"evaluasi": True, "dialog": True, "tim": True, "persetujuan": True, "tim_pk": True}
    # a platform admin acting in A: no pegawai, no Pejabat Penilai, but the organisation roles
    platform = User.objects.create_user(nip="platform-menu", password="x-Rahasia-123", is_platform_admin=True)
    c = web(platform)
    session = c.session
    session[PLATFORM_INSTANSI_SESSION_KEY] = org_a.instansi.kode
    session.save()
    assert _menu(c) == {"evaluasi": False, "dialog": False, "tim": True, "persetujuan": False, "tim_pk": True}
