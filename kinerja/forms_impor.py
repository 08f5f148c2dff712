"""Forms of the pegawai import page. Reading the file happens here so a bad file is a field error."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kinerja.services.impor import BerkasImpor, ImporBerkasError, impor_parse

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImporForm(forms.Form):
    berkas = forms.FileField(
        label=_("Berkas pegawai (.csv atau .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    uji_coba = forms.BooleanField(
        label=_("Uji coba saja (dry run): periksa dan hitung tanpa menyimpan"),
        required=False,
        initial=True,
    )
    # Set to "True" by the page's script after the browser's confirm(); without JS the page shows a confirm step.
    konfirmasi = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.content: bytes = b""
        self.parsed: BerkasImpor | None = None
        self.fields["berkas"].help_text = _(
            "Maksimal %(size)s. CSV: UTF-8, dipisah koma, baris pertama judul kolom."
        ) % {"size": filesizeformat(settings.KINERJA_IMPORT_MAX_BYTES)}

    def clean_berkas(self) -> Any:
        upload = self.cleaned_data["berkas"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Jenis berkas tidak didukung: gunakan .csv atau .xlsx."))
        if upload.size > settings.KINERJA_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)s); maksimal %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.KINERJA_IMPORT_MAX_BYTES),
                }
            )
        content = upload.read()
        try:
            self.parsed = impor_parse(content=content, nama_berkas=upload.name or "")
        except ImporBerkasError as exc:
            raise forms.ValidationError(exc.message) from None
        self.content = content
        return upload


class ImporKonfirmasiForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
