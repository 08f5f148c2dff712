"""HTML forms of the SKP pages. They parse and coerce input only; the rules live in ``skp.services``,
whose ``ApplicationError.errors`` are put back under the matching fields (``apply_service_errors``)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.exceptions import ApplicationError
from skp.models import Aspek, CascadingTipe, JenisRhk, Pendekatan
from skp.services import MAX_INDIKATOR, MAX_TEXT, IndikatorInput

LAMPIRAN_FIELDS = ("dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi")
#: One lampiran textarea (one item per line; the service also caps every item at ``MAX_TEXT``).
MAX_LAMPIRAN = 10_000
_MAX_BARIS_INDIKATOR = 20  # rows beyond this are ignored (tampered input); the service caps at MAX_INDIKATOR


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class VersiMixin(forms.Form):
    """Every edit form carries the SKP ``versi`` it was rendered from (compare-and-swap in the services)."""

    versi = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class SkpCreateForm(forms.Form):
    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    pendekatan = forms.ChoiceField(
        label=_("Pendekatan hasil kerja"),
        choices=Pendekatan.choices,
        initial=Pendekatan.KUANTITATIF,
        widget=forms.RadioSelect,
        help_text=_(
            "Kuantitatif: indikator dan target terpisah, dengan satuan ukur. Kualitatif: ukuran keberhasilan "
            "dan target ditulis sebagai satu uraian."
        ),
    )
    periode_mulai = forms.DateField(label=_("Mulai"), required=False, widget=_DateInput())
    periode_selesai = forms.DateField(label=_("Selesai"), required=False, widget=_DateInput())
    salin_dari = forms.TypedChoiceField(
        label=_("Salin isi dari SKP sebelumnya"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Hasil kerja, indikator, dan lampiran disalin; kaitan ke hasil kerja pimpinan perlu dipilih lagi."
        ),
    )

    def __init__(self, *args: Any, sumber: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault(
            "initial", {"tahun": timezone.localdate().year, "pendekatan": Pendekatan.KUANTITATIF}
        )
        super().__init__(*args, **kwargs)
        self.fields["salin_dari"].choices = [("", _("— Tidak, mulai dari kosong —"))] + [  # type: ignore[attr-defined]
            (
                s.pk,
                f"SKP {s.tahun} ({s.periode_mulai:%d-%m-%Y} s.d. {s.periode_selesai:%d-%m-%Y}) · "
                f"{s.get_status_display()}",
            )
            for s in sumber
        ]


class PendekatanForm(VersiMixin):
    pendekatan = forms.ChoiceField(label=_("Pendekatan hasil kerja"), choices=Pendekatan.choices)


class SalinForm(forms.Form):
    dari = forms.IntegerField(label=_("Salin dari"))


class RhkForm(VersiMixin):
    """One rencana hasil kerja; its indicator rows come from ``indikator_dari_post``."""

    jenis = forms.ChoiceField(label=_("Jenis"), choices=JenisRhk.choices, initial=JenisRhk.UTAMA)
    rencana_hasil_kerja = forms.CharField(
        label=_("Rencana hasil kerja"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rhk_pimpinan = forms.IntegerField(
        label=_("Rencana hasil kerja pimpinan yang diintervensi"), required=False
    )
    indikator_pk = forms.IntegerField(label=_("Indikator perjanjian kinerja"), required=False)
    cascading_tipe = forms.ChoiceField(
        label=_("Cascading"),
        required=False,
        choices=[("", _("— Pilih —")), *CascadingTipe.choices],
    )
    perspektif = forms.CharField(label=_("Perspektif"), required=False, max_length=100)
    penugasan_dari = forms.CharField(
        label=_("Jabatan pimpinan/tim kerja yang memberikan penugasan"),
        required=False,
        max_length=255,
    )


class EkspektasiForm(VersiMixin):
    """One optional text per BerAKHLAK value: the leader's ekspektasi khusus."""

    def __init__(self, *args: Any, core_values: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        for cv in core_values:
            self.fields[cv.kode] = forms.CharField(
                label=cv.nama,
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class LampiranForm(VersiMixin):
    dukungan_sumber_daya = forms.CharField(
        label=_("Dukungan sumber daya"),
        required=False,
        max_length=MAX_LAMPIRAN,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu butir per baris."),
    )
    skema_pertanggungjawaban = forms.CharField(
        label=_("Skema pertanggungjawaban"),
        required=False,
        max_length=MAX_LAMPIRAN,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu butir per baris."),
    )
    konsekuensi = forms.CharField(
        label=_("Konsekuensi"),
        required=False,
        max_length=MAX_LAMPIRAN,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu butir per baris."),
    )

    def lampiran(self) -> dict[str, list[str]]:
        return {
            k: [x.strip() for x in self.cleaned_data[k].splitlines() if x.strip()] for k in LAMPIRAN_FIELDS
        }

    @staticmethod
    def initial_dari(skp: Any) -> dict[str, Any]:
        return {"versi": skp.versi, **{k: "\n".join(getattr(skp, k) or []) for k in LAMPIRAN_FIELDS}}


class KembalikanForm(forms.Form):
    catatan = forms.CharField(
        label=_("Catatan untuk pegawai"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib diisi: tuliskan apa yang perlu diperbaiki."),
    )


class UsulMatriksForm(VersiMixin):
    """A result the leader proposes into a subordinate's draft from a Matriks Peran Hasil cell."""

    rencana_hasil_kerja = forms.CharField(
        label=_("Rencana hasil kerja"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cascading_tipe = forms.ChoiceField(
        label=_("Cascading"),
        required=False,
        choices=[("", _("— Pilih —")), *CascadingTipe.choices],
    )
    aspek = forms.ChoiceField(label=_("Aspek"), choices=Aspek.choices, initial=Aspek.KUANTITAS)
    iki = forms.CharField(label=_("Indikator kinerja individu"), required=False, max_length=MAX_TEXT)
    target = forms.CharField(label=_("Target"), required=False, max_length=255)


# ---------------------------------------------------------------- indicator rows


@dataclass
class BarisIndikator:
    """One indicator row as the form shows it (index ``i`` matches the service's ``indikator.<i>.*`` keys)."""

    i: int
    aspek: str = ""
    iki: str = ""
    target: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def indikator_dari_post(data: Mapping[str, Any]) -> list[BarisIndikator]:
    """Rows named ``indikator-<n>-<field>`` in posted order of ``n`` (gaps from removed rows are closed)."""
    nomor: set[int] = set()
    for key in data:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "indikator" and parts[1].isdigit() and len(parts[1]) <= 3:
            nomor.add(int(parts[1]))
    rows = []
    for i, n in enumerate(sorted(nomor)[:_MAX_BARIS_INDIKATOR]):
        rows.append(
            BarisIndikator(
                i=i,
                aspek=str(data.get(f"indikator-{n}-aspek", "")).strip()[:20],
                iki=str(data.get(f"indikator-{n}-iki", "")),
                target=str(data.get(f"indikator-{n}-target", "")),
            )
        )
    return rows


def indikator_dari_rhk(rhk: Any) -> list[BarisIndikator]:
    return [
        BarisIndikator(i=i, aspek=x.aspek, iki=x.iki, target=x.target)
        for i, x in enumerate(rhk.indikator.all())
    ]


def indikator_input(rows: list[BarisIndikator]) -> list[IndikatorInput]:
    return [IndikatorInput(aspek=r.aspek, iki=r.iki, target=r.target) for r in rows]


# ---------------------------------------------------------------- service errors → fields


@dataclass
class SisaGalat:
    """Service messages that belong to no single field: shown above the indicator rows or the form."""

    indikator: list[str] = field(default_factory=list)
    umum: list[str] = field(default_factory=list)


def apply_service_errors(
    form: forms.Form,
    exc: ApplicationError,
    *,
    rows: list[BarisIndikator] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> SisaGalat:
    """Put ``exc.errors`` under the fields they name: form fields, and ``indikator.<i>.<field>`` on the
    rows (``aliases`` maps a service key to a form field). The form's top message is ``exc.message``."""
    sisa = SisaGalat()
    for key, messages in exc.errors.items():
        msgs = [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]
        name = (aliases or {}).get(key, key)
        parts = name.split(".")
        if rows is not None and len(parts) == 3 and parts[0] == "indikator" and parts[1].isdigit():
            idx = int(parts[1])
            if idx < len(rows):
                rows[idx].errors.setdefault(parts[2], []).extend(msgs)
                continue
        if rows is not None and name == "indikator":
            sisa.indikator.extend(msgs)
        elif name in form.fields:
            for m in msgs:
                form.add_error(name, m)
        else:
            sisa.umum.extend(msgs)
    return sisa


__all__ = [
    "LAMPIRAN_FIELDS",
    "MAX_INDIKATOR",
    "BarisIndikator",
    "EkspektasiForm",
    "KembalikanForm",
    "LampiranForm",
    "PendekatanForm",
    "RhkForm",
    "SalinForm",
    "SisaGalat",
    "SkpCreateForm",
    "UsulMatriksForm",
    "apply_service_errors",
    "indikator_dari_post",
    "indikator_dari_rhk",
    "indikator_input",
]
