"""A password "validator" that validates nothing: its ``password_changed`` hook revokes API tokens.

Django calls ``password_changed(password, user)`` of every configured validator after
``AbstractBaseUser.save()`` stored a password set with ``set_password`` (the password change page,
``manage.py changepassword``, a future reset or admin form alike), so no path that changes a
password can forget the tokens. Web sessions need nothing here: their auth hash is an HMAC of the
password hash, so Django already logs out every other session, and the password change view keeps
the current one (``update_session_auth_hash``).
"""

from typing import Any

from django.utils.translation import gettext as _


class CabutTokenSaatKataSandiDiganti:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from kinerja.services.auth import token_revoke_all

        token_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("Setelah kata sandi diganti, semua perangkat lain dan semua token API akun ini dikeluarkan.")
