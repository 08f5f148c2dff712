"""Admin pages of the Pejabat Penilai non-ASN (issue #16): list, create, edit (login, identity, the
pegawai it rates). Thin: the form is parsed here, ``pejabat_non_asn_tetapkan`` does the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from evaluasi.forms_non_asn import PejabatNonAsnForm
from evaluasi.services_non_asn import pejabat_non_asn_tetapkan
from kinerja.access import id_or_404
from kinerja.exceptions import ApplicationError
from kinerja.models import PejabatNonAsn
from kinerja.selectors.people import pejabat_non_asn_kandidat, pejabat_non_asn_list
from kinerja.web import ROLES_IMPOR, paginate, tenant_view


@tenant_view(*ROLES_IMPOR)
def daftar(request: HttpRequest) -> HttpResponse:
    page = paginate(request, pejabat_non_asn_list(instansi=request.instansi))  # type: ignore[attr-defined]
    return render(request, "evaluasi/non_asn_daftar.html", {"page": page})


def _form_page(request: HttpRequest, pejabat: PejabatNonAsn | None) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    kandidat = pejabat_non_asn_kandidat(instansi=instansi, pejabat=pejabat)
    initial: dict[str, Any] = {}
    if pejabat is not None:
        initial = {
            "username": pejabat.user.nip,
            "nama": pejabat.nama,
            "jabatan": pejabat.jabatan,
            "menilai": [p.nip for p in kandidat if p.penilai_non_asn_id == pejabat.pk],
        }
    form = PejabatNonAsnForm(request.POST or None, initial=initial, kandidat=kandidat, baru=pejabat is None)
    pesan = ""
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            hasil = pejabat_non_asn_tetapkan(
                actor=request.user,  # type: ignore[arg-type]
                instansi=instansi,
                username=cd["username"] if pejabat is None else pejabat.user.nip,
                nama=cd["nama"],
                jabatan=cd["jabatan"],
                password=cd["password"] or None,
                menilai=form.nip_dinilai(),
                pejabat=pejabat,
            )
        except ApplicationError as exc:
            pesan = exc.message
            for field, msgs in exc.errors.items():
                target = "nip_lain" if field == "menilai" else field
                for m in msgs:
                    form.add_error(target if target in form.fields else None, m)
        else:
            messages.success(
                request,
                _("Pejabat Penilai non-ASN %(nama)s disimpan; menilai %(n)d pegawai.")
                % {"nama": hasil.pejabat.nama, "n": len(form.nip_dinilai())},
            )
            return redirect("evaluasi:non-asn-daftar")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "evaluasi/non_asn_form.html",
        {"form": form, "pejabat": pejabat, "pesan": pesan, "kandidat": kandidat},
        status=status,
    )


@tenant_view(*ROLES_IMPOR)
def baru(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@tenant_view(*ROLES_IMPOR)
def ubah(request: HttpRequest, pk: int) -> HttpResponse:
    pejabat = (
        PejabatNonAsn.objects.filter(instansi=request.instansi, pk=id_or_404(pk))  # type: ignore[attr-defined]
        .select_related("user")
        .first()
    )
    if pejabat is None:
        raise Http404()
    return _form_page(request, pejabat)
