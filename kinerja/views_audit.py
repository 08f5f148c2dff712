"""Audit log page for admin_instansi/platform_admin, and the CSV export for an inspector."""

import datetime as dt

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from kinerja.csv_aman import csv_writer
from kinerja.models import Role
from kinerja.selectors.audit import audit_actor_fill, audit_csv_rows, audit_list
from kinerja.web import paginate, tenant_view


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filters(request: HttpRequest) -> dict[str, object]:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return {"dari": day("dari"), "sampai": day("sampai"), "action": request.GET.get("aksi", "")[:64]}


@tenant_view(Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)
def audit_page(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    page = paginate(request, audit_list(instansi=request.instansi, **f), per_page=50)  # type: ignore[arg-type,attr-defined]
    page.object_list = audit_actor_fill(page.object_list)
    return render(request, "kinerja/audit.html", {"page": page, "f": f})


@tenant_view(Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    qs = audit_list(instansi=request.instansi, **_filters(request))  # type: ignore[arg-type,attr-defined]
    writer = csv_writer(_Echo())  # cells that start like a formula are written as text
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in audit_csv_rows(qs)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{request.instansi.kode}.csv"'  # type: ignore[attr-defined]
    return response
