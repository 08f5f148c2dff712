"""Dialog hub (beranda), the timeline of an SKP and the team feed of a Pejabat Penilai."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dialog import access, selectors
from dialog.views._common import PER_HALAMAN, _env, _htmx, _pilih_periode, dialog_view
from kinerja.models import Periode, Role
from kinerja.services.tenancy import periode_ensure_year
from kinerja.tenancy import pegawai_of
from kinerja.web import paginate
from skp.models import Skp, SkpStatus

# ---------------------------------------------------------------- hub


@dialog_view()
@require_GET
def beranda(request: HttpRequest) -> HttpResponse:
    instansi, roles, user = _env(request)
    own = pegawai_of(user)
    skps = (
        list(
            Skp.objects.filter(instansi=instansi, pegawai=own)
            .exclude(status=SkpStatus.DIGANTI)
            .order_by("-tahun", "-periode_mulai")[:6]
        )
        if own is not None
        else []
    )
    return render(
        request,
        "dialog/beranda.html",
        {
            "skps": skps,
            "diterima": list(selectors.umpan_balik_diterima(user=user, instansi=instansi)[:5]),
            "permintaan": list(selectors.permintaan_masuk(user=user, instansi=instansi)[:10]),
            "target": selectors.target_umpan_balik(user=user, instansi=instansi),
            "pimpinan": Role.PEJABAT_PENILAI in roles,
            "own": own,
        },
    )


# ---------------------------------------------------------------- timeline and team feed

_IKON = {
    "umpan_balik": "bi-chat-quote",
    "realisasi": "bi-clipboard-check",
    "rencana_aksi": "bi-list-check",
    "catatan": "bi-journal-text",
    "penugasan": "bi-briefcase",
    "skp": "bi-file-earmark-text",
}
_LABEL = {
    "umpan_balik.diberikan": _("Umpan balik diberikan"),
    "umpan_balik.dibalas": _("Balasan umpan balik"),
    "umpan_balik.diminta": _("Meminta umpan balik"),
    "realisasi.diisi": _("Realisasi diisi"),
    "realisasi.diubah": _("Realisasi diperbarui"),
    "rencana_aksi.ditambah": _("Rencana aksi ditambahkan"),
    "rencana_aksi.diubah": _("Rencana aksi diperbarui"),
    "catatan.dialog_kinerja": _("Dialog kinerja"),
    "catatan.bimbingan_kinerja": _("Bimbingan kinerja"),
    "catatan.konseling_kinerja": _("Konseling kinerja"),
    "penugasan.diusulkan": _("Penugasan diusulkan"),
    "penugasan.relawan": _("Mendaftar penugasan (relawan)"),
    "penugasan.diterima": _("Penugasan diterima"),
    "penugasan.ditolak": _("Penugasan ditolak"),
    "skp.diajukan": _("SKP diajukan"),
    "skp.disetujui": _("SKP disetujui"),
    "skp.dikembalikan": _("SKP dikembalikan"),
    "skp.diganti": _("SKP diganti versi baru"),
    "skp.draft": _("SKP kembali menjadi draf"),
}


def _row_url(row: dict[str, Any]) -> str:
    tipe, obj, skp_id = row["t_objek_tipe"], row["t_objek_id"], row["t_skp_id"]
    if tipe == "skp":
        return reverse("skp:detail", args=[obj])
    if tipe == "umpanbalik" and skp_id:
        return f"{reverse('dialog:umpan-balik-skp', args=[skp_id])}#ub-{obj}"
    if tipe == "permintaanumpanbalik" and skp_id:
        return reverse("dialog:umpan-balik-skp", args=[skp_id])
    if tipe in ("realisasi", "rencanaaksi") and skp_id:
        return reverse("dialog:realisasi", args=[skp_id])
    if tipe == "catatankinerja":
        return reverse("dialog:catatan-detail", args=[obj])
    if tipe == "penugasan":
        return reverse("dialog:penugasan-detail", args=[obj])
    return ""


def _decorate(page: Any) -> Any:
    """Icon, label and link per row, computed in Python: no query per row."""
    for row in page.object_list:
        group = row["t_jenis"].split(".", 1)[0]
        row["ikon"] = _IKON.get(group, "bi-dot")
        row["label"] = _LABEL.get(row["t_jenis"], row["t_jenis"])
        row["url"] = _row_url(row)
    return page


@dialog_view()
@require_GET
def linimasa(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.pegawai_linimasa_access(user=user, instansi=instansi, roles=roles, pegawai_id=pk)
    page = _decorate(paginate(request, selectors.linimasa_pegawai(instansi=instansi, pegawai=p), PER_HALAMAN))
    template = "dialog/_linimasa_rows.html" if _htmx(request) else "dialog/linimasa.html"
    return render(request, template, {"p": p, "page": page, "tampil_nama": False})


@dialog_view(Role.PEJABAT_PENILAI)
@require_GET
def tim(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    periods = list(
        Periode.objects.filter(instansi=instansi, tahun=timezone.localdate().year).order_by("mulai")
    )
    if not periods:
        periods = periode_ensure_year(instansi=instansi, tahun=timezone.localdate().year)
    periode = _pilih_periode(request, periods)
    page = _decorate(paginate(request, selectors.feed_tim(user=user, instansi=instansi), PER_HALAMAN))
    if _htmx(request) and request.GET.get("hal"):
        return render(request, "dialog/_linimasa_rows.html", {"page": page, "tampil_nama": True})
    status = selectors.tim_status_periode(user=user, instansi=instansi, periode=periode) if periode else []
    return render(
        request,
        "dialog/tim.html",
        {"periods": periods, "periode": periode, "status": status, "page": page, "tampil_nama": True},
    )
