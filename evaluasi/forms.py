"""HTML forms of the evaluation pages. Validation of rules stays in the services; these only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluasi.models import AturanDistribusi
from evaluasi.scoring import Predikat, PredikatOrganisasi, Rating


class PenilaianForm(forms.Form):
    rating_hasil_kerja = forms.ChoiceField(
        label=_("Rating hasil kerja"), choices=Rating.choices, widget=forms.RadioSelect
    )
    rating_perilaku_kerja = forms.ChoiceField(
        label=_("Rating perilaku kerja"), choices=Rating.choices, widget=forms.RadioSelect
    )
    justifikasi = forms.CharField(
        label=_("Justifikasi"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wajib bila pegawai belum menerima umpan balik dalam periode ini."),
    )
    # the evaluation's ``versi`` the page was rendered from: a rating saved meanwhile (another tab or
    # person) makes this save a conflict instead of silently overwriting it
    versi = forms.IntegerField(required=False, min_value=0, max_value=2_147_483_647, widget=forms.HiddenInput)


class KinerjaOrganisasiForm(forms.Form):
    predikat = forms.ChoiceField(label=_("Predikat kinerja organisasi"), choices=PredikatOrganisasi.choices)
    justifikasi = forms.CharField(
        label=_("Justifikasi"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Dasar penetapan: capaian rencana aksi/Perjanjian Kinerja, rekomendasi unit perencanaan, SDM, inspektorat."
        ),
    )


class AlasanDeviasiForm(forms.Form):
    kode = forms.CharField(widget=forms.HiddenInput, max_length=120)
    alasan = forms.CharField(
        label=_("Alasan penyimpangan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class KeberatanForm(forms.Form):
    alasan = forms.CharField(
        label=_("Alasan keberatan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class KeputusanKeberatanForm(forms.Form):
    terima = forms.TypedChoiceField(
        label=_("Keputusan"),
        choices=[("1", _("Terima dan ubah predikat")), ("0", _("Tolak"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    predikat_baru = forms.ChoiceField(
        label=_("Predikat baru"), choices=[("", "—"), *Predikat.choices], required=False
    )
    catatan = forms.CharField(
        label=_("Alasan keputusan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BatchTahunanForm(forms.Form):
    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    dry_run = forms.BooleanField(
        label=_("Uji coba (dry run): hitung tanpa mengunci dan tanpa menulis tindak lanjut"), required=False
    )


class AturanDistribusiForm(forms.Form):
    aturan = forms.ModelChoiceField(
        label=_("Aturan pola distribusi"),
        queryset=AturanDistribusi.objects.none(),
        required=False,
        empty_label=_("Bawaan (SE MenPANRB 3/2023)"),
    )

    def __init__(self, *args: object, queryset: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if queryset is not None:
            self.fields["aturan"].queryset = queryset  # type: ignore[attr-defined]
