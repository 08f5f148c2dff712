"""HTML forms of the evaluation pages. Validation of rules stays in the services; these only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluasi.models import AturanDistribusi
from evaluasi.scoring import PredikatOrganisasi, Rating


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
        choices=[("1", _("Terima dan tetapkan rating baru")), ("0", _("Tolak"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    # an accepted keberatan sets new ratings; the predikat follows from the matrix (never chosen)
    rating_hasil_kerja = forms.ChoiceField(
        label=_("Rating hasil kerja baru"), choices=[("", "—"), *Rating.choices], required=False
    )
    rating_perilaku_kerja = forms.ChoiceField(
        label=_("Rating perilaku kerja baru"), choices=[("", "—"), *Rating.choices], required=False
    )
    catatan = forms.CharField(
        label=_("Alasan keputusan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BatchTahunanForm(forms.Form):
    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    dry_run = forms.BooleanField(
        label=_("Uji coba (dry run): hitung tanpa mengunci dan tanpa menulis tindak lanjut"), required=False
    )
    paksa = forms.BooleanField(
        label=_("Paksa finalisasi sebelum jendela penilaian tahunan dibuka"), required=False
    )
    alasan = forms.CharField(
        label=_("Alasan memaksa finalisasi"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila memaksa; dicatat dalam log audit."),
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


BULAN = [
    (1, _("Januari")), (2, _("Februari")), (3, _("Maret")), (4, _("April")), (5, _("Mei")), (6, _("Juni")),
    (7, _("Juli")), (8, _("Agustus")), (9, _("September")), (10, _("Oktober")), (11, _("November")),
    (12, _("Desember")),
]  # fmt: skip


class JendelaTahunanForm(forms.Form):
    """The annual rating window of the instansi (domain.md "Annual window"); rules in the service."""

    buka_tanggal = forms.IntegerField(label=_("Dibuka tanggal"), min_value=1, max_value=31)
    buka_bulan = forms.TypedChoiceField(label=_("Dibuka bulan"), choices=BULAN, coerce=int)
    tutup_tanggal = forms.IntegerField(label=_("Ditutup tanggal"), min_value=1, max_value=31)
    tutup_bulan = forms.TypedChoiceField(
        label=_("Ditutup bulan"),
        choices=BULAN,
        coerce=int,
        help_text=_("Bila sebelum tanggal dibuka, jendela ditutup pada tahun berikutnya."),
    )
