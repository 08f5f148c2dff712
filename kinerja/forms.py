from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


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


class KataSandiGantiForm(PasswordChangeForm):
    """Django's password change with our wording ("kata sandi", as on the login page)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["old_password"].label = _("Kata sandi lama")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")

    def save(self, commit: bool = True) -> Any:
        """Only the password column, through the one path allowed to write it (``kinerja.identity``)."""
        from kinerja.identity import account_set_password

        if commit:
            account_set_password(self.user, self.cleaned_data["new_password1"])
        else:
            self.user.set_password(self.cleaned_data["new_password1"])
        return self.user
