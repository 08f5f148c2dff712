"""Admin form of a Pejabat Penilai non-ASN (issue #16): login, identity, and the pegawai it rates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.models import Pegawai


class PejabatNonAsnForm(forms.Form):
    username = forms.CharField(
        label=_("Nama pengguna (untuk masuk)"),
        max_length=32,
        help_text=_("Huruf, angka, titik, garis bawah atau tanda minus; misalnya bupati.sukamaju."),
    )
    nama = forms.CharField(label=_("Nama pejabat"), max_length=255)
    jabatan = forms.CharField(
        label=_("Jabatan"),
        max_length=255,
        help_text=_("Misalnya Bupati Sukamaju, Menteri, atau Kepala Badan."),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    menilai = forms.MultipleChoiceField(
        label=_("Pegawai yang dinilai"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pejabat ini menjadi Pejabat Penilai Kinerja pegawai yang dicentang mulai sekarang."),
    )
    nip_lain = forms.CharField(
        label=_("NIP pegawai lain (opsional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pegawai yang tidak ada di daftar: tulis NIP-nya, dipisah koma atau baris baru."),
    )

    def __init__(self, *args: Any, kandidat: list[Pegawai], baru: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        menilai = self.fields["menilai"]
        assert isinstance(menilai, forms.MultipleChoiceField)  # noqa: S101 - declared above
        menilai.choices = [
            (p.nip, f"{p.nama} ({p.nip}), {p.jabatan.nama}, {p.unit_kerja.nama}") for p in kandidat
        ]
        if baru:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Sampaikan kata sandi ini kepada pejabat secara langsung.")
        else:
            self.fields["username"].disabled = True
            self.fields["password"].help_text = _("Kosongkan bila kata sandi tidak diubah.")

    def nip_dinilai(self) -> list[str]:
        lain = (self.cleaned_data.get("nip_lain") or "").replace("\n", ",").split(",")
        out = list(self.cleaned_data.get("menilai") or [])
        out += [n.strip() for n in lain if n.strip() and n.strip() not in out]
        return out
