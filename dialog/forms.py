"""HTML forms: types and shapes only. Business validation lives in ``dialog.services``; its field errors
are put back on these forms (``apply_errors``) so nothing the user typed is lost."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.exceptions import ApplicationError
from skp.models import Aspek, JenisRhk

from .models import JawabanB18, JenisCatatan, ModeEmail, SifatUmpanBalik

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(form: forms.Form, name: str, choices: Any) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def target_of(cleaned: dict[str, Any]) -> dict[str, Any]:
    """``sasaran`` ("" | "rhk:<id>" | "cv:<kode>") as the service's ``rhk_id``/``core_value``."""
    value = cleaned.get("sasaran") or ""
    if value.startswith("rhk:"):
        return {"rhk_id": value[4:], "core_value": ""}
    if value.startswith("cv:"):
        return {"rhk_id": None, "core_value": value[3:]}
    return {"rhk_id": None, "core_value": ""}


def apply_errors(form: forms.Form, exc: ApplicationError, mapping: dict[str, str] | None = None) -> None:
    """Put a service's field errors on the form fields (unknown keys become form-level errors)."""
    mapping = mapping or {}
    for key, messages in exc.errors.items():
        field = mapping.get(key, key)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


class RealisasiForm(forms.Form):
    realisasi = forms.CharField(
        label=_("Realisasi"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("mis. 4 laporan selesai")}),
    )
    keterangan = forms.CharField(
        label=_("Keterangan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    berkas = forms.FileField(
        label=_("Unggah bukti"),
        required=False,
        help_text=_("PDF, gambar PNG/JPEG, Word, Excel, atau PowerPoint; paling besar 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}
        ),
    )
    tautan = forms.CharField(
        label=_("Tautan bukti"),
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    judul_bukti = forms.CharField(label=_("Judul bukti"), required=False, max_length=255)


class BuktiForm(forms.Form):
    berkas = RealisasiForm.base_fields["berkas"]
    tautan = RealisasiForm.base_fields["tautan"]
    judul = forms.CharField(label=_("Judul bukti"), required=False, max_length=255)


class RencanaAksiUbahForm(forms.Form):
    """A planned step's text and target (correcting one keeps its result and periode)."""

    uraian = forms.CharField(
        label=_("Rencana aksi"),
        max_length=4000,
        widget=forms.TextInput(attrs={"placeholder": _("Langkah yang akan dilakukan")}),
    )
    target = forms.CharField(label=_("Target"), required=False, max_length=255)


class RencanaAksiForm(RencanaAksiUbahForm):
    rhk = forms.IntegerField(widget=forms.HiddenInput)


class UmpanBalikForm(forms.Form):
    """``sasaran``: "" (umum), "rhk:<id>" or "cv:<kode>"."""

    sasaran = forms.ChoiceField(label=_("Tentang"), required=False)
    periode = forms.TypedChoiceField(label=_("Periode"), coerce=int)
    sifat = forms.ChoiceField(
        label=_("Sifat"),
        required=False,
        choices=[("", _("Umum")), *SifatUmpanBalik.choices],
        widget=forms.RadioSelect,
    )
    isi = forms.CharField(
        label=_("Umpan balik"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Apa yang sudah baik, apa yang perlu diperbaiki")}
        ),
    )
    realisasi = forms.IntegerField(required=False, widget=forms.HiddenInput)
    permintaan = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, sasaran: list[tuple[str, Any]], periode: list[tuple[int, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        _choices(self, "sasaran", sasaran)
        _choices(self, "periode", periode)

    def target(self) -> dict[str, Any]:
        return target_of(self.cleaned_data)


UMPAN_BALIK_ERRORS = {"rhk": "sasaran", "core_value": "sasaran", "realisasi": "sasaran"}


class BalasanForm(forms.Form):
    isi = forms.CharField(
        label=_("Balasan"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Tulis balasan…")}),
    )


#: prefix of a non-ASN Pejabat Penilai among the ``diminta`` choices (pegawai are plain ids)
NON_ASN = "na:"


class PermintaanForm(forms.Form):
    # a pegawai id, or ``na:<id>`` for the owner's non-ASN Pejabat Penilai (issue #16)
    diminta = forms.ChoiceField(label=_("Minta kepada"))
    periode = forms.TypedChoiceField(label=_("Periode"), coerce=int)
    sasaran = forms.ChoiceField(label=_("Tentang"), required=False)
    pesan = forms.CharField(
        label=_("Pesan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        diminta: list[tuple[int, str]],
        sasaran: list[tuple[str, Any]],
        periode: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        _choices(self, "diminta", [("", _("— pilih —")), *diminta])
        _choices(self, "sasaran", sasaran)
        _choices(self, "periode", periode)

    def target(self) -> dict[str, Any]:
        return target_of(self.cleaned_data)

    def tujuan(self) -> dict[str, Any]:
        """``diminta_id`` or ``diminta_non_asn_id`` for ``permintaan_create``."""
        v = str(self.cleaned_data["diminta"])
        if v.startswith(NON_ASN):
            return {"diminta_id": None, "diminta_non_asn_id": v.removeprefix(NON_ASN)}
        return {"diminta_id": v, "diminta_non_asn_id": None}


class CatatanForm(forms.Form):
    jenis = forms.ChoiceField(label=_("Jenis"), choices=JenisCatatan.choices)
    pegawai = forms.TypedChoiceField(label=_("Pegawai"), coerce=int)
    tanggal = forms.DateField(label=_("Tanggal pertemuan"), widget=DATE)
    periode = forms.TypedChoiceField(label=_("Periode"), coerce=int, required=False, empty_value=None)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    catatan = forms.CharField(
        label=_("Catatan / hasil"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        pegawai: list[tuple[int, str]],
        periode: list[tuple[int, str]],
        jenis: list[tuple[str, Any]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        _choices(self, "pegawai", pegawai)
        _choices(self, "periode", [("", "—"), *periode])
        _choices(self, "jenis", jenis)


class TindakLanjutForm(forms.Form):
    uraian = forms.CharField(label=_("Tindak lanjut yang disepakati"), required=False, max_length=4000)
    tenggat = forms.DateField(label=_("Tenggat"), required=False, widget=DATE)


TindakLanjutFormSet = forms.formset_factory(TindakLanjutForm, extra=3, max_num=20)


class B18Form(forms.Form):
    """One ya/tidak + comment per active B.1.8 statement (fields ``p<id>`` and ``p<id>_ket``)."""

    def __init__(self, *args: Any, pernyataan: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pernyataan = pernyataan
        for p in pernyataan:
            self.fields[f"p{p.pk}"] = forms.ChoiceField(
                label=p.teks, choices=JawabanB18.choices, widget=forms.RadioSelect, required=True
            )
            self.fields[f"p{p.pk}_ket"] = forms.CharField(
                label=_("Keterangan"), required=False, max_length=4000
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(p, self[f"p{p.pk}"], self[f"p{p.pk}_ket"]) for p in self.pernyataan]

    def jawaban(self) -> dict[int, tuple[str, str]]:
        return {
            p.pk: (self.cleaned_data.get(f"p{p.pk}") or "", self.cleaned_data.get(f"p{p.pk}_ket") or "")
            for p in self.pernyataan
        }


class B19Form(forms.Form):
    """Per active B.1.9 competence a 1-5 rating (empty = not rated) and a reason (``k<id>``, ``k<id>_alasan``)."""

    def __init__(self, *args: Any, kompetensi: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        from dialog.kompetensi_b19 import SKALA_B19

        self.kompetensi = kompetensi
        for k in kompetensi:
            self.fields[f"k{k.pk}"] = forms.TypedChoiceField(
                label=_("Nilai %(kompetensi)s") % {"kompetensi": k.nama},
                choices=[("", _("Tidak dinilai")), *SKALA_B19],
                coerce=int,
                empty_value="",
                required=False,
            )
            self.fields[f"k{k.pk}_alasan"] = forms.CharField(
                label=_("Alasan nilai %(kompetensi)s") % {"kompetensi": k.nama},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(k, self[f"k{k.pk}"], self[f"k{k.pk}_alasan"]) for k in self.kompetensi]

    def penilaian(self) -> dict[int, tuple[Any, str]]:
        return {
            k.pk: (self.cleaned_data.get(f"k{k.pk}", ""), self.cleaned_data.get(f"k{k.pk}_alasan") or "")
            for k in self.kompetensi
        }


class PenugasanForm(forms.Form):
    terbuka = forms.BooleanField(label=_("Terbuka untuk relawan (tanpa menunjuk pegawai)"), required=False)
    pegawai = forms.CharField(
        label=_("Pegawai yang ditugaskan"),
        required=False,
        max_length=300,
        help_text=_("Ketik NIP atau nama, lalu pilih dari daftar."),
        widget=forms.TextInput(attrs={"list": "daftar-pegawai", "autocomplete": "off"}),
    )
    hasil_kerja = forms.CharField(
        label=_("Hasil kerja yang diharapkan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    mulai = forms.DateField(label=_("Mulai"), widget=DATE)
    selesai = forms.DateField(label=_("Selesai"), widget=DATE)
    pesan = forms.CharField(
        label=_("Pesan untuk Pejabat Penilai"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def nip(self) -> str:
        return (self.cleaned_data.get("pegawai") or "").strip().split(" ", 1)[0]


class IndikatorForm(forms.Form):
    aspek = forms.ChoiceField(label=_("Aspek"), choices=[("", "—"), *Aspek.choices], required=False)
    iki = forms.CharField(label=_("Indikator"), required=False, max_length=2000)
    target = forms.CharField(label=_("Target"), required=False, max_length=255)


IndikatorFormSet = forms.formset_factory(IndikatorForm, extra=2, max_num=4)


class KeputusanForm(forms.Form):
    jenis = forms.ChoiceField(
        label=_("Masuk SKP sebagai hasil kerja"), choices=JenisRhk.choices, initial=JenisRhk.TAMBAHAN
    )
    catatan = forms.CharField(
        label=_("Catatan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TolakForm(forms.Form):
    catatan = forms.CharField(
        label=_("Alasan penolakan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PreferensiForm(forms.Form):
    mode_email = forms.ChoiceField(
        label=_("Email pemberitahuan"), choices=ModeEmail.choices, widget=forms.RadioSelect
    )
