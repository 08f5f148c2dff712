from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from kinerja.auth import Penolakan, authenticate_guarded, normalise_nip


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("NIP / NI PPPK"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("NIP atau kata sandi salah. Periksa kembali lalu coba lagi."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin kepegawaian instansi Anda."),
    }
    penolakan: Penolakan | None = None  # set when the login guard refused before checking the password

    def clean_username(self) -> str:
        # "19890321 201406 1 001", as the app prints it, is the same NIP as "198903212014061001".
        return normalise_nip(self.cleaned_data.get("username"))

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache, self.penolakan = authenticate_guarded(self.request, username, password)  # type: ignore[arg-type]
            if self.penolakan is not None:
                raise forms.ValidationError(self.penolakan.pesan, code="terkunci")
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class KataSandiGantiForm(PasswordChangeForm):
    """Django's password change with our wording ("kata sandi", as on the login page)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["old_password"].label = _("Kata sandi lama")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")

    def save(self, commit: bool = True) -> Any:
        """Only the password column, through the one path allowed to write it (``kinerja.identity``);
        the new password and the revocation of the API tokens (its ``password_changed`` hook, see
        kinerja.password_validation) commit together."""
        from django.db import transaction

        from kinerja.identity import account_set_password

        if commit:
            with transaction.atomic():
                account_set_password(self.user, self.cleaned_data["new_password1"])
        else:
            self.user.set_password(self.cleaned_data["new_password1"])
        return self.user
