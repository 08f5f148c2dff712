"""Log harian pages: the pegawai's phone-first entry page, correcting/removing own entries, the Pejabat
Penilai's bulk verification page, the XLSX export per unit and month. Thin: parse → access → service.
"""

import calendar
import datetime as dt
import io
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import log_harian_selectors as sel
from dialog.log_harian_rules import DURASI_MAX
from dialog.models import LogHarian, RencanaAksi, StatusLog
from dialog.services import log_harian as svc
from dialog.services.log_harian import HARI_KUNCI_MAKS, PENGINGAT_HARI_MAKS
from dialog.views._common import _access_error, _env, _int, dialog_view
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Pegawai, UnitKerja
from kinerja.selectors.people import pegawai_dinilai_oleh
from kinerja.tenancy import pegawai_of

PER_HALAMAN = 30


class LogHarianForm(forms.Form):
    tanggal = forms.DateField(
        label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    rhk = forms.TypedChoiceField(label=gettext_lazy("Hasil kerja (RHK)"), coerce=int)
    rencana_aksi = forms.TypedChoiceField(
        label=gettext_lazy("Rencana aksi"), coerce=int, required=False, empty_value=None
    )
    uraian = forms.CharField(
        label=gettext_lazy("Apa yang Anda kerjakan"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    durasi_menit = forms.IntegerField(
        label=gettext_lazy("Durasi (menit)"),
        min_value=1,
        max_value=DURASI_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 15}),
    )
    tautan = forms.URLField(
        label=gettext_lazy("Tautan"), required=False, max_length=2000, assume_scheme="https"
    )
    berkas = forms.FileField(
        label=gettext_lazy("Bukti (PDF, JPEG, PNG; maks. 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, pegawai: Pegawai, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rhk = list(sel.log_harian_rhk_pilihan(pegawai=pegawai))
        rhk_field = cast(forms.ChoiceField, self.fields["rhk"])
        ra_field = cast(forms.ChoiceField, self.fields["rencana_aksi"])
        rhk_field.choices = [(r.pk, f"{r.rencana_hasil_kerja[:90]} ({r.skp.tahun})") for r in rhk]
        ra = RencanaAksi.objects.filter(
            instansi_id=pegawai.instansi_id, rhk__in=[r.pk for r in rhk]
        ).order_by("rhk_id", "urutan", "id")
        ra_field.choices = [("", _("— tanpa rencana aksi —"))] + [(a.pk, a.uraian[:90]) for a in ra]
        self.rhk_kosong = not rhk


def _apply(form: forms.Form, exc: ApplicationError) -> None:
    for key, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)
    if not exc.errors:
        form.add_error(None, exc.message)


def _own(request: HttpRequest) -> Pegawai:
    own = pegawai_of(request.user)
    instansi = request.instansi  # type: ignore[attr-defined]
    if own is None or own.instansi_id != instansi.pk:
        raise Http404()
    return own


def _bulan(request: HttpRequest, today: dt.date) -> tuple[int, int]:
    raw = request.GET.get("bulan") or ""
    try:
        y, m = (int(x) for x in raw.split("-", 1))
        dt.date(y, m, 1)
        return y, m
    except (TypeError, ValueError):
        return today.year, today.month


def _initial(own: Pegawai, today: dt.date, salin: str | None, instansi: Any) -> dict[str, Any]:
    """Today's date preset, the last RHK remembered; ``salin`` pre-fills from an earlier entry."""
    initial: dict[str, Any] = {"tanggal": today}
    terakhir = sel.log_harian_terakhir(pegawai=own)
    if terakhir is not None:
        initial["rhk"] = terakhir.rhk_id
    sumber: LogHarian | None = None
    if salin == "kemarin":
        kemarin = sel.log_harian_hari_sebelumnya(pegawai=own, sebelum=today)
        sumber = kemarin[-1] if kemarin else None
    elif salin and salin.isascii() and salin.isdigit():
        sumber = LogHarian.objects.filter(instansi=instansi, pegawai_id=own.pk, pk=int(salin)).first()
    if sumber is not None:
        initial.update(
            rhk=sumber.rhk_id,
            rencana_aksi=sumber.rencana_aksi_id,
            uraian=sumber.uraian,
            durasi_menit=sumber.durasi_menit,
            tautan=sumber.tautan,
        )
    return initial


@dialog_view()
@require_http_methods(["GET", "POST"])
def log_harian(request: HttpRequest) -> HttpResponse:
    """The pegawai's day: entry form (phone first), the day's total, own entries with status, the month's
    recap per RHK."""
    instansi, _roles, user = _env(request)
    own = _own(request)
    pengaturan = sel.pengaturan_log_harian(instansi=instansi)
    today = timezone.localdate()
    if request.method == "POST":
        form = LogHarianForm(request.POST, request.FILES, pegawai=own)
        if form.is_valid() and pengaturan.aktif:
            c = form.cleaned_data
            try:
                log = svc.log_harian_create(
                    actor=user,
                    instansi=instansi,
                    tanggal=c["tanggal"],
                    rhk_id=c["rhk"],
                    rencana_aksi_id=c["rencana_aksi"],
                    uraian=c["uraian"],
                    durasi_menit=c["durasi_menit"],
                    tautan=c["tautan"],
                    berkas=c.get("berkas"),
                )
            except ApplicationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Log tersimpan (menunggu verifikasi)."))
                return redirect(f"{reverse('dialog:log-harian')}?tanggal={log.tanggal:%Y-%m-%d}")
        status = 422
    else:
        form = LogHarianForm(initial=_initial(own, today, request.GET.get("salin"), instansi), pegawai=own)
        status = 200
    hari = form["tanggal"].value() if request.method == "POST" else request.GET.get("tanggal")
    try:
        hari_dt = dt.date.fromisoformat(str(hari)) if hari else today
    except ValueError:
        hari_dt = today
    if request.method == "GET" and hari_dt != today:
        form.initial["tanggal"] = hari_dt
    y, m = _bulan(request, hari_dt)
    status_filter = request.GET.get("status") if request.GET.get("status") in StatusLog.values else None
    mulai = dt.date(y, m, 1)
    selesai = dt.date(y, m, calendar.monthrange(y, m)[1])
    logs = sel.log_harian_list(
        instansi=instansi, pegawai_ids=[own.pk], dari=mulai, sampai=selesai, status=status_filter
    )
    from kinerja.web import paginate

    page = paginate(request, logs, PER_HALAMAN)
    menit_hari = sel.log_harian_menit_hari(instansi_id=instansi.pk, pegawai_id=own.pk, tanggal=hari_dt)
    ctx = {
        "form": form,
        "pengaturan": pengaturan,
        "hari": hari_dt,
        "menit_hari": menit_hari,
        "sisa_menit": max(DURASI_MAX - menit_hari, 0),
        "persen_hari": min(100, round(menit_hari * 100 / DURASI_MAX)),
        "page": page,
        "status_filter": status_filter,
        "bulan": mulai,
        "bulan_lalu": (mulai - dt.timedelta(days=1)).strftime("%Y-%m"),
        "bulan_depan": (selesai + dt.timedelta(days=1)).strftime("%Y-%m") if selesai < today else "",
        "rekap": sel.log_harian_rekap(instansi=instansi, pegawai_id=own.pk, tahun=y, bulan=m),
        "status_choices": StatusLog.choices,
    }
    return render(request, "dialog/log_harian.html", ctx, status=status)


@dialog_view()
@require_http_methods(["GET", "POST"])
def log_harian_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an own entry (``menunggu`` or ``ditolak``; a rejected one is resubmitted)."""
    instansi, _roles, user = _env(request)
    own = _own(request)
    log = sel.log_harian_own_access(user=user, instansi=instansi, log_id=pk)
    if log.status == StatusLog.DITERIMA:
        messages.info(request, _("Log yang sudah diterima tidak bisa diubah."))
        return redirect("dialog:log-harian")
    if request.method == "POST":
        form = LogHarianForm(request.POST, request.FILES, pegawai=own)
        if form.is_valid():
            c = form.cleaned_data
            data = {k: c[k] for k in ("tanggal", "rhk", "rencana_aksi", "uraian", "durasi_menit", "tautan")}
            try:
                svc.log_harian_update(
                    actor=user, instansi=instansi, log=log, data=data, berkas=c.get("berkas"),
                    hapus_berkas=request.POST.get("hapus_berkas") == "1",
                )  # fmt: skip
            except InvalidTransition as exc:
                form.add_error(None, exc.message)
            except ApplicationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Log diperbaiki dan dikirim ulang untuk verifikasi."))
                return redirect(f"{reverse('dialog:log-harian')}?tanggal={c['tanggal']:%Y-%m-%d}")
        status = 422
    else:
        form = LogHarianForm(
            initial={
                "tanggal": log.tanggal, "rhk": log.rhk_id, "rencana_aksi": log.rencana_aksi_id,
                "uraian": log.uraian, "durasi_menit": log.durasi_menit, "tautan": log.tautan,
            },
            pegawai=own,
        )  # fmt: skip
        status = 200
    return render(request, "dialog/log_harian_ubah.html", {"form": form, "log": log}, status=status)


@dialog_view()
@require_POST
def log_harian_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, _roles, user = _env(request)
    log = sel.log_harian_own_access(user=user, instansi=instansi, log_id=pk)
    try:
        svc.log_harian_delete(actor=user, instansi=instansi, log=log)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Log dihapus."))
    return redirect(f"{reverse('dialog:log-harian')}?tanggal={log.tanggal:%Y-%m-%d}")


@dialog_view()
@require_GET
def log_harian_berkas(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file of an entry, for whoever may read that pegawai's log (never a public URL)."""
    instansi, roles, user = _env(request)
    log = LogHarian.objects.filter(instansi=instansi, pk=pk).first()
    if log is None or not log.berkas:
        raise Http404()
    sel.log_harian_pegawai_access(user=user, instansi=instansi, roles=roles, pegawai_id=log.pegawai_id)
    try:
        handle = log.berkas.open("rb")
    except FileNotFoundError:
        raise Http404() from None
    response = FileResponse(
        handle, as_attachment=True, filename=log.nama_berkas or "bukti", content_type=log.tipe_konten
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _senin(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


@dialog_view("pejabat_penilai")
@require_http_methods(["GET", "POST"])
def log_harian_verifikasi(request: HttpRequest) -> HttpResponse:
    """One page for the Pejabat Penilai: filter by pegawai and week, select many, accept or reject with a
    note (one transaction)."""
    instansi, _roles, user = _env(request)
    tim = list(
        pegawai_dinilai_oleh(user=user, instansi=instansi).select_related(None).only("id", "nama", "nip")
    )
    tim_ids = [p.pk for p in tim]
    src = request.POST if request.method == "POST" else request.GET
    try:
        minggu = _senin(dt.date.fromisoformat(src.get("minggu") or ""))
    except ValueError:
        minggu = _senin(timezone.localdate())
    pegawai_id = _int(src.get("pegawai"))
    if pegawai_id is not None and pegawai_id not in tim_ids:
        raise Http404()
    status_filter = src.get("status", StatusLog.MENUNGGU)
    if status_filter not in StatusLog.values:
        status_filter = ""
    query = f"?minggu={minggu:%Y-%m-%d}&pegawai={pegawai_id or ''}&status={status_filter}"
    galat: dict[str, list[str]] = {}
    if request.method == "POST":
        ids = [i for i in (_int(x) for x in request.POST.getlist("ids")) if i is not None]
        aksi = request.POST.get("aksi")
        if not ids:
            galat["ids"] = [_("Pilih minimal satu log.")]
        else:
            try:
                n = svc.log_harian_verify(
                    actor=user,
                    instansi=instansi,
                    ids=ids,
                    status=aksi or "",
                    catatan=request.POST.get("catatan", ""),
                )
            except NotFoundOrForbidden:
                raise Http404() from None
            except ApplicationError as exc:
                galat = exc.errors or {"ids": [exc.message]}
            else:
                label = _("diterima") if aksi == StatusLog.DITERIMA else _("ditolak")
                messages.success(request, _("%(n)d log %(label)s.") % {"n": n, "label": label})
                return redirect(reverse("dialog:log-harian-verifikasi") + query)
    ids_filter = [pegawai_id] if pegawai_id is not None else tim_ids
    logs = list(
        sel.log_harian_list(
            instansi=instansi,
            pegawai_ids=ids_filter,
            dari=minggu,
            sampai=minggu + dt.timedelta(days=6),
            status=status_filter or None,
        )[:500]
    )
    ctx = {
        "tim": tim,
        "pegawai_id": pegawai_id,
        "minggu": minggu,
        "minggu_lalu": minggu - dt.timedelta(days=7),
        "minggu_depan": minggu + dt.timedelta(days=7),
        "akhir_minggu": minggu + dt.timedelta(days=6),
        "status_filter": status_filter,
        "status_choices": StatusLog.choices,
        "logs": logs,
        "galat": galat,
        "catatan": request.POST.get("catatan", "") if request.method == "POST" else "",
        "dipilih": set(request.POST.getlist("ids")) if request.method == "POST" else set(),
    }
    return render(request, "dialog/log_harian_verifikasi.html", ctx, status=422 if galat else 200)


@dialog_view("admin_instansi", "hr_viewer", "pejabat_penilai")
@require_GET
def log_harian_ekspor(request: HttpRequest) -> FileResponse:
    """XLSX of one unit's month (the unit and its sub-units): admin/HR any unit, a leader their own unit."""
    from dialog.log_harian_ekspor import log_harian_xlsx

    instansi, roles, user = _env(request)
    today = timezone.localdate()
    y, m = _bulan(request, today)
    unit_id = _int(request.GET.get("unit"))
    own = pegawai_of(user)
    if unit_id is None and own is not None:
        unit_id = own.unit_kerja_id
    unit = UnitKerja.objects.filter(instansi=instansi, pk=unit_id).first() if unit_id else None
    if unit is None:
        raise Http404()
    if not set(roles) & {"admin_instansi", "hr_viewer"} and (own is None or own.unit_kerja_id != unit.pk):
        raise Http404()
    data = log_harian_xlsx(instansi=instansi, unit=unit, tahun=y, bulan=m)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"log-harian-{unit.pk}-{y}-{m:02d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class PengaturanLogHarianForm(forms.Form):
    """Parses the input only; the ranges are the service's (one place), its messages land on the fields."""

    aktif = forms.BooleanField(label=gettext_lazy("Log harian dipakai di instansi ini"), required=False)
    hari_kunci = forms.IntegerField(
        label=gettext_lazy("Hari kunci setelah akhir bulan"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": HARI_KUNCI_MAKS}),
    )
    pengingat_aktif = forms.BooleanField(
        label=gettext_lazy("Kirim pengingat kepada pegawai yang belum mengisi log"), required=False
    )
    pengingat_hari_kerja = forms.IntegerField(
        label=gettext_lazy("Pengingat setelah berapa hari kerja tanpa log"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": PENGINGAT_HARI_MAKS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            *args, **kwargs
        )  # the help texts in the request's language, with the service's limits
        self.fields["hari_kunci"].help_text = _(
            "Log sebuah bulan terkunci sekian hari setelah bulan itu berakhir (0-%(maks)d; bawaan 5)."
        ) % {"maks": HARI_KUNCI_MAKS}
        self.fields["pengingat_hari_kerja"].help_text = _(
            "Hari kerja Senin-Jumat (1-%(maks)d; bawaan 3)."
        ) % {"maks": PENGINGAT_HARI_MAKS}


@dialog_view("admin_instansi", "platform_admin")
@require_http_methods(["GET", "POST"])
def log_harian_pengaturan(request: HttpRequest) -> HttpResponse:
    """admin_instansi: the instansi's daily-log settings (the page twin of PUT api/v1/log-harian/pengaturan/;
    same service, which checks the ranges and writes the audit row)."""
    instansi, roles, user = _env(request)
    pengaturan = sel.pengaturan_log_harian(instansi=instansi)
    status = 200
    if request.method == "POST":
        form = PengaturanLogHarianForm(request.POST)
        if form.is_valid():
            try:
                svc.log_harian_pengaturan_set(actor=user, roles=roles, instansi=instansi, **form.cleaned_data)
            except ApplicationError as exc:
                _access_error(exc)
                _apply(form, exc)
            else:
                messages.success(request, _("Pengaturan log harian tersimpan."))
                return redirect("dialog:log-harian-pengaturan")
        status = 422
    else:
        form = PengaturanLogHarianForm(
            initial={
                "aktif": pengaturan.aktif, "hari_kunci": pengaturan.hari_kunci,
                "pengingat_aktif": pengaturan.pengingat_aktif,
                "pengingat_hari_kerja": pengaturan.pengingat_hari_kerja,
            }
        )  # fmt: skip
    return render(request, "dialog/log_harian_pengaturan.html", {"form": form}, status=status)
