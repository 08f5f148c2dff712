"""The form of the follow-up chain (issue #17, domain §8.2): its own module so evaluasi/forms.py stays as it was."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluasi.models import MAX_TEKS, JenisLangkah


class LangkahTindakLanjutForm(forms.Form):
    """One step after the improvement window (domain §8.2). The order and dates are checked by the service."""

    jenis = forms.ChoiceField(label=_("Langkah"), choices=JenisLangkah.choices)
    tanggal = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Hanya untuk penempatan sementara (paling lama 1 tahun)."),
    )
    catatan = forms.CharField(
        label=_("Catatan"), max_length=MAX_TEKS, widget=forms.Textarea(attrs={"rows": 3})
    )
    berkas = forms.FileField(
        label=_("Dokumen (PDF, opsional)"),
        required=False,
        help_text=_("Mis. hasil uji kompetensi atau surat keputusan; PDF paling besar 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
