"""Imports and exports as jobs (api-contract.md §7): ``POST impor/`` and ``POST ekspor/`` → 202
``{"job"}``; progress and result from ``GET jobs/{id}/`` (``detail.url`` names the file, served by
``GET jobs/{id}/berkas/``). Same services and authorisation as the import page and the export page."""

from typing import Any, cast

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kinerja.api.base import TenantScopedApi
from kinerja.api.parsers import JSONParser
from kinerja.documents import all_exports, all_jobs
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Job, JobStatus
from kinerja.selectors.jobs import job_visible_to
from kinerja.services.ekspor import ekspor_job_start, impor_job_start
from kinerja.web import ROLES_IMPOR

JobDiterima = inline_serializer("JobDiterima", {"job": serializers.IntegerField()})


class EksporApi(TenantScopedApi):
    """GET: the exports the caller may start (``jenis`` keys and their parameters). POST: start one →
    202 ``{"job": id}`` (twin of the export page's download links and ``dokumen-job-mulai``)."""

    pagination_class = None  # GET: the short list of export kinds, not paginated

    class InputSerializer(serializers.Serializer):
        jenis = serializers.CharField(max_length=64, help_text="Kunci ekspor dari GET ekspor/.")
        format = serializers.ChoiceField(
            choices=["xlsx", "csv"], required=False, allow_null=True, help_text="Ekspor tabel: xlsx atau csv."
        )
        tahun = serializers.IntegerField(required=False, allow_null=True, min_value=2000, max_value=2100)
        unit = serializers.IntegerField(required=False, allow_null=True, help_text="Unit kerja (subtree).")
        skp = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        jenis = serializers.CharField()
        judul = serializers.CharField()
        keterangan = serializers.CharField()
        format = serializers.ListField(child=serializers.CharField())
        params = serializers.ListField(child=serializers.CharField())

    def get_base_queryset(self) -> Any:
        return Job.objects.filter(instansi=self.instansi)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        roles = set(self.roles)
        out = [
            {"jenis": e.key, "judul": e.label, "keterangan": e.description, "format": ["xlsx", "csv"],
             "params": list(e.params)}
            for e in all_exports()
            if not e.roles or roles & set(e.roles)
        ] + [
            {"jenis": j.key, "judul": j.label, "keterangan": j.description, "format": [], "params": list(j.params)}
            for j in all_jobs()
            if not j.roles or roles & set(j.roles)
        ]  # fmt: skip
        return Response(self.OutputSerializer(out, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={202: JobDiterima},
        examples=[
            OpenApiExample("Rekap SKP per unit (XLSX)", value={"jenis": "skp_rekap_unit", "tahun": 2026}),
            OpenApiExample("ZIP SKP satu unit", value={"jenis": "skp_zip", "tahun": 2026, "unit": 4}),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        jenis, fmt = v.pop("jenis"), v.pop("format", None)
        job = ekspor_job_start(
            actor=self.actor, instansi=self.instansi, roles=self.roles, jenis=jenis, format=fmt, params=v
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class ImporApi(TenantScopedApi):
    """POST multipart ``berkas`` (CSV or XLSX, contract §2 columns), optional ``dry_run`` → 202
    ``{"job": id}``. admin_instansi / platform_admin only (others: 404). The job validates every row:
    one bad row → job ``gagal``, ``detail.kesalahan`` lists every problem, nothing imported."""

    required_roles = tuple(str(r) for r in ROLES_IMPOR)
    parser_classes = (MultiPartParser, FormParser, JSONParser)

    class InputSerializer(serializers.Serializer):
        berkas = serializers.FileField(allow_empty_file=True)
        dry_run = serializers.BooleanField(required=False, default=False)

    def get_base_queryset(self) -> Any:
        return Job.objects.filter(instansi=self.instansi)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={202: JobDiterima},
        description="curl -H 'Authorization: Token …' -F berkas=@pegawai.csv -F dry_run=true "
        "https://…/api/v1/impor/",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["berkas"]
        job = impor_job_start(
            actor=self.actor,
            instansi=self.instansi,
            content=upload.read(),
            nama_berkas=upload.name or "",
            dry_run=data.validated_data["dry_run"],
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class JobBerkasApi(TenantScopedApi):
    """The result file of a finished job (an export, a ZIP, a PDF): same visibility as ``jobs/{id}/``."""

    def get_base_queryset(self) -> Any:
        return job_visible_to(instansi=self.instansi, user=self.actor, roles=self.roles)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="Berkasnya.")
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = cast(Job, self.get_object())
        if job.status != JobStatus.SELESAI or not job.hasil:
            raise NotFoundOrForbidden()
        filename = (job.hasil.name or "hasil").rsplit("/", 1)[-1]
        response = FileResponse(job.hasil.open("rb"), as_attachment=True, filename=filename)
        response["Cache-Control"] = "private, no-store"
        return response
