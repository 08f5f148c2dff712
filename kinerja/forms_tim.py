"""Forms of the tim kerja pages: plain input; every rule lives in ``kinerja.services.tim``."""

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.exceptions import ApplicationError


def nip_daftar(value: str) -> list[str]:
    """NIPs typed one per line, or separated by commas/spaces ("19890321 201406 1 001" is one NIP when
    it is alone on its line)."""
    out: list[str] = []
    for line in (value or "").splitlines():
        line = line.strip()
        if not line:
            continue
        compact = re.sub(r"\s+", "", line)
        if compact.isdigit():
            out.append(compact)
        else:
            out.extend(p for p in re.split(r"[\s,;]+", line) if p)
    return out


class TimForm(forms.Form):
    nama = forms.CharField(
        label=_("Nama tim"),
        max_length=255,
        help_text=_('Misalnya "Tim Transformasi Digital".'),
    )
    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    ketua = forms.CharField(
        label=_("NIP ketua tim"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Pegawai mana pun di instansi ini, dari unit mana pun."),
    )
    anggota = forms.CharField(
        label=_("NIP anggota"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Satu NIP per baris. Anggota dapat ditambahkan lagi nanti."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tahun"].initial = timezone.localdate().year

    def clean_ketua(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data.get("ketua") or "")


class TimUbahForm(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput, required=False)
    nama = forms.CharField(label=_("Nama tim"), max_length=255)
    ketua = forms.CharField(
        label=_("NIP ketua tim"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_ketua(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data.get("ketua") or "")


class AnggotaTambahForm(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput, required=False)
    anggota = forms.CharField(
        label=_("NIP anggota baru"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu NIP per baris. Keanggotaan dicatat mulai hari ini."),
    )


class AnggotaKeluarForm(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput, required=False)


def apply_errors(form: forms.Form, exc: ApplicationError) -> list[str]:
    """Field errors of the service under the form's fields; the rest returned for the top message."""
    sisa: list[str] = []
    for key, msgs in exc.errors.items():
        for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
            if key in form.fields:
                form.add_error(key, str(m))
            else:
                sisa.append(str(m))
    return sisa
