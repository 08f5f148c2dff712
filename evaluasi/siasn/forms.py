"""Forms of the SIASN pages (parse only; the services validate the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluasi.models import JenisKirimanSiasn


class SiasnKirimForm(forms.Form):
    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    jenis = forms.MultipleChoiceField(
        label=_("Yang dikirim"),
        choices=JenisKirimanSiasn.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Pilih paling sedikit satu jenis hasil.")},
    )


class SiasnTarikForm(forms.Form):
    nip = forms.CharField(
        label=_("NIP pegawai"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu atau lebih NIP (18 angka), dipisah koma, spasi atau baris baru; paling banyak 20."),
    )
