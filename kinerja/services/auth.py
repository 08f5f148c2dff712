"""Credentials of an account: API tokens (django-rest-knox) and web sessions.

Every token write goes through this module (creation at login, revocation of one, of all of a
user's, the purge of expired rows), so the table ``knox_authtoken`` has one writer to audit.

Sessions are revoked without scanning the session table: ``User.sesi_versi`` is part of the
session auth hash (``User._get_session_auth_hash``), so raising it makes every existing session of
the user fail Django's hash check on its next request (``django.contrib.auth.get_user`` flushes
it). ``update_session_auth_hash`` then re-signs the one session that should stay.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken

from kinerja.models import Instansi, User
from kinerja.services.audit import audit_log


def token_create(*, user: User) -> tuple[str, datetime | None]:
    """A new token for ``user`` (each login gets its own; the old ones stay valid until they expire
    or are revoked). Returns the raw token, shown once and never stored, and its expiry.

    Also deletes the user's own expired tokens, so a client that logs in on every run does not pile
    up rows between daily purges.
    """
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, raw = AuthToken.objects.create(user=user)
    return raw, instance.expiry


def token_revoke(*, token: Any) -> None:
    """Revoke one token (``request.auth`` of a knox-authenticated request): DELETE auth/token/."""
    AuthToken.objects.filter(digest=token.digest).delete()


def token_revoke_all(*, user: User) -> int:
    """Revoke every API token of ``user``; returns how many there were. The single place that does it:
    password change (``kinerja.password_validation``) and "keluar dari semua perangkat" call it."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def token_purge_expired() -> int:
    """Delete expired tokens of every user (they are refused anyway); the daily beat task."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def sesi_revoke_all(*, user: User, keep: HttpRequest | None = None) -> None:
    """End every web session of ``user``; with ``keep``, that request's session stays logged in.

    Raises ``sesi_versi`` (compare-and-swap free: an increment), which changes the session auth hash.
    """
    User.objects.filter(pk=user.pk).update(sesi_versi=F("sesi_versi") + 1)
    user.refresh_from_db(fields=["sesi_versi"])
    if keep is not None and getattr(keep, "user", None) is not None and keep.user.pk == user.pk:
        update_session_auth_hash(keep, user)


@transaction.atomic
def akun_keluar_semua(
    *, actor: User, user: User, instansi: Instansi | None, keep: HttpRequest | None = None
) -> int:
    """Log ``user`` out everywhere: every API token and every web session (``keep``: the caller's
    session stays). Audited in ``instansi``. The caller has checked that ``actor`` may do this
    (the user themself, or an admin of the instansi of ``user``'s pegawai). Returns the number of
    tokens revoked."""
    tokens = token_revoke_all(user=user)
    sesi_revoke_all(user=user, keep=keep)
    audit_log(
        actor=actor,
        instansi=instansi,
        action="akun.keluar_semua",
        obj=user,
        after={"token_dicabut": tokens, "sendiri": actor.pk == user.pk},
    )
    return tokens
