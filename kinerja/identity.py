"""Authentication under the database wall (``kinerja/rls.py``, docs/security.md).

Requests run as ``kinerja_app``; the account table shows a request only its own account and the
accounts of its instansi's pegawai, and the django-axes tables not at all. The steps that must look
an account up *before* the request knows who it is go through the narrow authentication state
(``rls_authentication``):

* ``IdentityModelBackend``: Django's ``ModelBackend`` whose ``authenticate`` (the lookup by NIP and
  the password check) runs in that state; once the password matched, the request is identified as
  that user (``rls_identify``) so that ``login()`` (``last_login``, the new session row) and the
  token views (creating the user's token) work on the user's own rows and nothing else;
* ``IdentityAxesHandler``: django-axes' database handler, every method in that state;
* ``account_set_password``: the only way the application writes a password hash
  (``kinerja_akun_set_password``, a SECURITY DEFINER function that allows the request's own account,
  or the hash upgrade during authentication).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.dispatch import receiver

from kinerja import rls


class IdentityModelBackend(ModelBackend):
    """``ModelBackend`` whose account lookup runs in the authentication state (see the module)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        with rls.rls_authentication():
            user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            rls.rls_identify(user.pk)
        return user


@receiver(user_logged_in, dispatch_uid="kinerja.identity.logged_in")
def _identify_new_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``login()`` replaced the session key: the request now owns the new session row."""
    session = getattr(request, "session", None) if request is not None else None
    if user is not None and getattr(user, "pk", None) is not None:
        rls.rls_identify(user.pk, session_key=getattr(session, "session_key", None))


def _in_authentication(method: Any) -> Any:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with rls.rls_authentication():
            return method(*args, **kwargs)

    return wrapper


class IdentityAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler; its tables are visible only in the authentication state."""

    is_allowed = _in_authentication(AxesDatabaseHandler.is_allowed)
    is_locked = _in_authentication(AxesDatabaseHandler.is_locked)
    get_failures = _in_authentication(AxesDatabaseHandler.get_failures)
    user_login_failed = _in_authentication(AxesDatabaseHandler.user_login_failed)
    user_logged_in = _in_authentication(AxesDatabaseHandler.user_logged_in)
    user_logged_out = _in_authentication(AxesDatabaseHandler.user_logged_out)
    reset_attempts = _in_authentication(AxesDatabaseHandler.reset_attempts)
    reset_logs = _in_authentication(AxesDatabaseHandler.reset_logs)
    reset_failure_logs = _in_authentication(AxesDatabaseHandler.reset_failure_logs)
    remove_out_of_limit_failure_logs = _in_authentication(
        AxesDatabaseHandler.remove_out_of_limit_failure_logs
    )
    post_save_access_attempt = _in_authentication(AxesDatabaseHandler.post_save_access_attempt)
    post_delete_access_attempt = _in_authentication(AxesDatabaseHandler.post_delete_access_attempt)


def account_set_password(user: Any, raw_password: str | None, *, upgrade: bool = False) -> None:
    """Hash ``raw_password`` onto ``user`` and store it: the one path that writes ``password``.

    Inside a request or task (``kinerja_app``) through ``kinerja_akun_set_password``, which accepts
    only the request's own account (or the authentication step's hash upgrade); as the owner
    (management commands, tests) a plain UPDATE of that one column. ``upgrade``: the same password
    re-hashed during authentication (not a password change: validators are not told).
    """
    user.set_password(raw_password)
    if rls.current_value() is None:
        type(user)._base_manager.filter(pk=user.pk).update(password=user.password)
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT kinerja_akun_set_password(%s, %s)", [user.pk, user.password])
    if not upgrade and raw_password is not None:
        password_validation.password_changed(raw_password, user)
    user._password = None  # what Model.save() does after telling the validators
