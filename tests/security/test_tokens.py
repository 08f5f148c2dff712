"""API tokens and sessions can be revoked (issue #15). Each test replays one attack that used to work.

Attacks: a token survives a password change / a logout; logging in again returns the same token;
``DELETE auth/token/`` is 405; tokens never expire; the database holds the raw token. Plus the
"keluar dari semua perangkat" of a user and of an admin (two instansi and an outsider).
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from kinerja.models import AuditLog, User
from kinerja.services.auth import token_purge_expired
from tests.conftest import PASSWORD, Org, token_for

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def login_token(user: Any, password: str = PASSWORD) -> str:
    resp = APIClient().post(TOKEN_URL, {"username": user.nip, "password": password}, format="json")
    assert resp.status_code == 200, resp.content
    return resp.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def me_status(token: str) -> int:
    return with_token(token).get(ME_URL).status_code


def web_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def web_logged_in(client: Client) -> bool:
    resp = client.get(reverse("dashboard"))
    return resp.status_code == 200


# ---------------------------------------------------------------------------------------------- storage


def test_database_never_contains_the_raw_token(org_a: Org) -> None:
    # given a token from the login endpoint
    token = login_token(org_a.pegawai.user)
    assert len(token) == 64
    # then no row of any table, read as text, contains it (knox keeps a 15-character lookup prefix
    # and the SHA-512 digest; DRF's plain-text authtoken_token table is gone)
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cur.fetchall()]
        assert "authtoken_token" not in tables
        assert "knox_authtoken" in tables
        for table in tables:
            cur.execute(
                f'SELECT count(*) FROM "{table}" t WHERE strpos(t::text, %s) > 0',  # noqa: S608 - names from pg_tables
                [token],
            )
            assert cur.fetchone()[0] == 0, f"{table} contains the raw token"
    row = AuthToken.objects.get(user=org_a.pegawai.user)
    assert row.digest == hashlib.sha512(token.encode()).hexdigest()
    assert row.token_key == token[:15]
    assert me_status(token) == 200


# ---------------------------------------------------------------------------------------------- login


def test_login_returns_a_new_token_each_time(org_a: Org) -> None:
    # when the same user logs in twice
    first, second = login_token(org_a.pegawai.user), login_token(org_a.pegawai.user)
    # then the tokens differ (the old answer was the same token forever) and both work
    assert first != second
    assert me_status(first) == 200
    assert me_status(second) == 200
    assert AuthToken.objects.filter(user=org_a.pegawai.user).count() == 2


def test_login_answers_token_and_expiry_and_ignores_an_old_header(org_a: Org) -> None:
    client = with_token("ini-token-lama-yang-sudah-dicabut")
    resp = client.post(TOKEN_URL, {"username": org_a.pegawai.nip, "password": PASSWORD}, format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"token", "expiry"}
    expiry = datetime.fromisoformat(body["expiry"])
    assert timedelta(days=29, hours=23) < expiry - timezone.now() <= timedelta(days=30)


@pytest.mark.parametrize("password", ["salah", ""])
def test_wrong_credentials_are_401_with_a_message_and_create_nothing(org_a: Org, password: str) -> None:
    resp = APIClient().post(TOKEN_URL, {"username": org_a.pegawai.nip, "password": password}, format="json")
    assert resp.status_code in (400, 401)
    assert resp.json()["detail"]
    assert not AuthToken.objects.exists()


# ---------------------------------------------------------------------------------------------- logout


def test_delete_revokes_the_callers_token_only(org_a: Org) -> None:
    # given two tokens of one user (phone and laptop)
    phone, laptop = login_token(org_a.pegawai.user), login_token(org_a.pegawai.user)
    # when the phone logs out (this used to be 405)
    resp = with_token(phone).delete(TOKEN_URL)
    assert resp.status_code == 204
    # then the phone's token is dead, the laptop's still works
    assert me_status(phone) == 401
    assert with_token(phone).get(ME_URL).json()["detail"].startswith("Token tidak valid")
    assert me_status(laptop) == 200
    # and a second logout with the same token is 401
    assert with_token(phone).delete(TOKEN_URL).status_code == 401


def test_delete_without_a_valid_token_is_401(org_a: Org) -> None:
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert with_token("0" * 64).delete(TOKEN_URL).status_code == 401
    # a web session is not a token: nothing to revoke
    session = APIClient()
    session.force_login(org_a.pegawai.user)
    assert session.delete(TOKEN_URL).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token ÿÿÿÿ", "token " + "f" * 64, "Token " + "z" * 200],
)
def test_malformed_token_headers_are_401_never_500(org_a: Org, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(ME_URL).status_code == 401


def test_token_of_a_deactivated_account_is_refused(org_a: Org) -> None:
    token = token_for(org_a.pegawai.user)
    User.objects.filter(pk=org_a.pegawai.user.pk).update(is_active=False)
    assert me_status(token) == 401


# ---------------------------------------------------------------------------------------------- password change


def test_password_change_on_the_web_revokes_every_token_and_other_sessions(org_a: Org) -> None:
    user = org_a.pegawai.user
    # given two API tokens and two browser sessions
    tokens = [login_token(user), login_token(user)]
    here, elsewhere = web_client(user), web_client(user)
    # when the password is changed in one browser
    new = "Kata-Sandi-Baru-2026"
    resp = here.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert resp.status_code == 302
    # then every token is refused, the other browser is logged out, this one stays
    assert [me_status(t) for t in tokens] == [401, 401]
    assert not AuthToken.objects.filter(user=user).exists()
    assert not web_logged_in(elsewhere)
    assert web_logged_in(here)
    # and the new password gives a working token
    assert me_status(login_token(user, new)) == 200


def test_password_set_by_any_other_path_revokes_tokens(org_a: Org) -> None:
    # e.g. manage.py changepassword, or a future reset form: set_password + save
    user = org_a.pegawai.user
    token = login_token(user)
    user.set_password("Lain-Lagi-2026-xyz")
    user.save()
    assert me_status(token) == 401


def test_failed_password_change_revokes_nothing(org_a: Org) -> None:
    user = org_a.pegawai.user
    token = login_token(user)
    here = web_client(user)
    resp = here.post(
        reverse("password_change"), {"old_password": "salah", "new_password1": "x", "new_password2": "x"}
    )
    assert resp.status_code == 200
    assert me_status(token) == 200


# ---------------------------------------------------------------------------------------------- expiry


def test_token_expires_after_the_ttl_without_use(org_a: Org, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    token = login_token(org_a.pegawai.user)
    time_machine.shift(timedelta(days=29, hours=23))
    time_machine.shift(timedelta(hours=2))  # 30 days and an hour without a request
    assert me_status(token) == 401


def test_each_use_slides_the_expiry(org_a: Org, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    token = login_token(org_a.pegawai.user)
    created = AuthToken.objects.get().expiry
    # used every 20 days: alive after 60 days, although the first expiry was at day 30
    for _ in range(3):
        time_machine.shift(timedelta(days=20))
        assert me_status(token) == 200
    assert AuthToken.objects.get().expiry == created + timedelta(days=60)
    # then 31 days of silence: expired
    time_machine.shift(timedelta(days=31))
    assert me_status(token) == 401


def test_refresh_is_written_at_most_once_a_minute(org_a: Org, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    token = login_token(org_a.pegawai.user)
    time_machine.shift(timedelta(seconds=30))
    with CaptureQueriesContext(connection) as ctx:
        assert me_status(token) == 200
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "knox_authtoken"')]
    time_machine.shift(timedelta(minutes=5))
    with CaptureQueriesContext(connection) as ctx:
        assert me_status(token) == 200
    assert len([q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "knox_authtoken"')]) == 1


def test_ttl_comes_from_the_settings(org_a: Org, settings: Any, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=2)}
    token = login_token(org_a.pegawai.user)
    time_machine.shift(timedelta(days=2, minutes=1))
    assert me_status(token) == 401


def test_expired_tokens_are_purged(org_a: Org, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    old = login_token(org_a.pegawai.user)
    time_machine.shift(timedelta(days=20))
    fresh = login_token(org_a.rekan.user)
    time_machine.shift(timedelta(days=15))  # old: 35 days unused, fresh: 15
    assert token_purge_expired() == 1
    assert list(AuthToken.objects.values_list("user_id", flat=True)) == [org_a.rekan.user.pk]
    assert me_status(fresh) == 200
    assert me_status(old) == 401


# ---------------------------------------------------------------------------------------------- cost


def test_an_api_request_looks_the_token_up_once(org_a: Org) -> None:
    # TenantMiddleware (for the instansi) and DRF (inside the view) share one lookup
    client = with_token(token_for(org_a.pegawai.user))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ME_URL).status_code == 200
    lookups = [q for q in ctx.captured_queries if 'FROM "knox_authtoken"' in q["sql"]]
    assert len(lookups) == 1


# ---------------------------------------------------------------------------------------------- log out everywhere


def _audit(action: str = "akun.keluar_semua") -> list[AuditLog]:
    return list(AuditLog._base_manager.filter(action=action).order_by("pk"))


def test_user_logs_out_of_every_device(org_a: Org) -> None:
    user = org_a.pegawai.user
    tokens = [login_token(user), login_token(user)]
    here, elsewhere = web_client(user), web_client(user)
    other_user = web_client(org_a.rekan.user)
    other_token = login_token(org_a.rekan.user)
    # when the user presses "Keluar dari semua perangkat"
    resp = here.post(reverse("akun-keluar-semua"))
    # then they land on the login page, and every session and token of theirs is gone
    assert resp.status_code == 302
    assert resp["Location"] == reverse("login")
    assert not web_logged_in(here)
    assert not web_logged_in(elsewhere)
    assert [me_status(t) for t in tokens] == [401, 401]
    # but nobody else's
    assert web_logged_in(other_user)
    assert me_status(other_token) == 200
    # and it is audited in the user's instansi
    (row,) = _audit()
    assert (row.actor_id, row.instansi_id, row.object_id) == (user.pk, org_a.instansi.pk, str(user.pk))
    assert row.after == {"token_dicabut": 2, "sendiri": True}
    # and logging in again works
    assert me_status(login_token(user)) == 200


def test_keluar_semua_is_post_only(org_a: Org) -> None:
    client = web_client(org_a.pegawai.user)
    assert client.get(reverse("akun-keluar-semua")).status_code == 405
    assert web_logged_in(client)


def test_admin_logs_a_pegawai_out_everywhere(org_a: Org) -> None:
    target = org_a.pegawai
    token = login_token(target.user)
    their_browser = web_client(target.user)
    admin = web_client(org_a.admin.user)
    # when the admin_instansi presses the button on the pegawai page
    resp = admin.post(reverse("pegawai-keluarkan", args=[target.pk]), follow=True)
    # then the page says so, the pegawai is logged out everywhere, the admin is not
    assert resp.status_code == 200
    assert "telah dikeluarkan dari semua perangkat" in resp.content.decode()
    assert me_status(token) == 401
    assert not web_logged_in(their_browser)
    assert web_logged_in(admin)
    (row,) = _audit()
    assert (row.actor_id, row.instansi_id, row.object_id) == (
        org_a.admin.user.pk,
        org_a.instansi.pk,
        str(target.user.pk),
    )
    assert row.after == {"token_dicabut": 1, "sendiri": False}


def test_admin_logging_themself_out_keeps_the_current_session(org_a: Org) -> None:
    admin_user = org_a.admin.user
    token = login_token(admin_user)
    here, elsewhere = web_client(admin_user), web_client(admin_user)
    assert here.post(reverse("pegawai-keluarkan", args=[org_a.admin.pk])).status_code == 302
    assert web_logged_in(here)
    assert not web_logged_in(elsewhere)
    assert me_status(token) == 401


def test_only_the_instansis_admin_may_log_someone_out(org_a: Org, outsider: Any) -> None:
    target = org_a.pegawai
    token = login_token(target.user)
    their_browser = web_client(target.user)
    url = reverse("pegawai-keluarkan", args=[target.pk])
    # the outsider (admin_instansi of B), HR, the pegawai's own atasan and a colleague: 404
    for who in (outsider.user, org_a.hr.user, org_a.atasan.user, org_a.rekan.user):
        assert web_client(who).post(url).status_code == 404, who
    # anonymous: to the login page
    anon = Client().post(url)
    assert anon.status_code == 302
    assert anon["Location"].startswith(reverse("login"))
    # an id that does not exist: 404 for the admin too
    assert web_client(org_a.admin.user).post(reverse("pegawai-keluarkan", args=[999999])).status_code == 404
    # nothing was revoked, nothing audited
    assert me_status(token) == 200
    assert web_logged_in(their_browser)
    assert _audit() == []


def test_outsider_admin_cannot_log_out_their_own_colleague_through_another_instansi(
    org_a: Org, org_b: Org, outsider: Any
) -> None:
    # B's admin may act on B's pegawai (their own instansi) ...
    b_token = login_token(org_b.pegawai.user)
    assert (
        web_client(outsider.user).post(reverse("pegawai-keluarkan", args=[org_b.pegawai.pk])).status_code
        == 302
    )
    assert me_status(b_token) == 401
    # ... and A's admin may not
    b_token = login_token(org_b.pegawai.user)
    resp = web_client(org_a.admin.user).post(reverse("pegawai-keluarkan", args=[org_b.pegawai.pk]))
    assert resp.status_code == 404
    assert me_status(b_token) == 200


def test_pegawai_page_shows_the_button_to_admins_only(org_a: Org) -> None:
    url = reverse("pegawai-detail", args=[org_a.pegawai.pk])
    admin_page = web_client(org_a.admin.user).get(url).content.decode()
    assert 'data-testid="keluarkan-semua"' in admin_page
    assert "data-confirm=" in admin_page
    for who in (org_a.hr.user, org_a.pegawai.user, org_a.atasan.user):
        assert 'data-testid="keluarkan-semua"' not in web_client(who).get(url).content.decode()


def test_the_new_texts_are_translated(org_a: Org) -> None:
    client = web_client(org_a.admin.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    detail = client.get(reverse("pegawai-detail", args=[org_a.pegawai.pk])).content.decode()
    assert "Account access" in detail
    assert "Sign out of every device" in detail
    assert "dari semua perangkat" not in detail
    password = client.get(reverse("password_change")).content.decode()
    assert "this one included" in password
    assert "every API token of this account is signed out" in password
    resp = client.post(reverse("pegawai-keluarkan", args=[org_a.pegawai.pk]), follow=True)
    assert "has been signed out of every device" in resp.content.decode()


def test_the_daily_purge_is_scheduled_and_runs(org_a: Org, settings: Any, time_machine: Any) -> None:
    from kinerja.tasks import token_purge_expired_task

    entry = settings.CELERY_BEAT_SCHEDULE["token-kedaluwarsa-hapus"]
    assert entry["task"] == token_purge_expired_task.name
    time_machine.move_to(timezone.now(), tick=False)
    token_for(org_a.pegawai.user)
    time_machine.shift(timedelta(days=31))
    assert token_purge_expired_task.apply().get() == 1
    assert not AuthToken.objects.exists()


def test_sessions_from_before_the_upgrade_stay_valid_until_a_revocation(org_a: Org) -> None:
    from django.contrib.auth.base_user import AbstractBaseUser

    from kinerja.services.auth import sesi_revoke_all

    user = org_a.pegawai.user
    # at sesi_versi 0 the hash is Django's own, so sessions signed before this change still match
    assert user.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(user)
    before = user.get_session_auth_hash()
    sesi_revoke_all(user=user)
    assert user.sesi_versi == 1
    assert user.get_session_auth_hash() != before
