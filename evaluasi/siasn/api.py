"""API twins of the SIASN pages (issue #19; api-contract §6): admin_instansi / platform_admin only, 404 for
everyone else and for another instansi's runs. The same services as the pages underneath:

* ``GET siasn/jobs/`` the send runs (newest first); ``POST siasn/jobs/`` start one → 202 ``{"job"}``
  (``siasn_kirim_start``: the page's Celery task; follow it at ``GET jobs/{id}/``);
* ``GET siasn/jobs/{id}/hasil/?hasil=gagal`` a run's per-pegawai results (``siasn_log_job``);
* ``POST siasn/tarik/`` compare NIPs with SIASN's data-utama → the differences and their ``sidik``; with
  ``"terapkan": true`` and that ``sidik`` apply them (``siasn_tarik_bandingkan`` / ``siasn_tarik_terapkan``);
* ``GET siasn/audit/?tahun=&format=csv|xlsx`` every payload sent and SIASN's answer, as a download
  (``siasn_audit_response``, the page's export).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from evaluasi.models import JenisKirimanSiasn, LogSiasn, StatusKirimanSiasn
from evaluasi.siasn.audit import siasn_audit_response
from evaluasi.siasn.client import SiasnClient, SiasnError
from evaluasi.siasn.config import SiasnBelumDiatur, siasn_config_for
from evaluasi.siasn.jobs import JOB_SIASN, siasn_kirim_start, siasn_log_job
from evaluasi.siasn.kirim import SEMUA_JENIS
from evaluasi.siasn.tarik import (
    MAX_NIP_HALAMAN,
    parse_nip,
    perbandingan_hash,
    siasn_tarik_bandingkan,
    siasn_tarik_terapkan,
)
from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError, InvalidTransition
from kinerja.models import Job
from kinerja.web import ROLES_IMPOR

ROLES = tuple(str(r) for r in ROLES_IMPOR)


class SiasnTidakTersedia(ApplicationError):
    """SIASN could not be read (after the client's retries): 502 with SIASN's message."""

    status_code = 502


class SiasnJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="antri, berjalan, selesai, gagal")
    progress = serializers.IntegerField(help_text="0..100")
    tahun = serializers.SerializerMethodField()
    jenis = serializers.SerializerMethodField()
    detail = serializers.JSONField(help_text='{"terkirim", "tidak_berubah", "gagal", "total"}')
    pesan = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_tahun(self, job: Job) -> int | None:
        tahun = (job.params or {}).get("tahun")
        if isinstance(tahun, int | str) and str(tahun).isascii() and str(tahun).isdigit():
            return int(tahun)
        return None

    def get_jenis(self, job: Job) -> list[str]:
        return [str(j) for j in (job.params or {}).get("jenis") or SEMUA_JENIS]


class SiasnJobsApi(TenantScopedApi):
    """GET: this instansi's SIASN send runs, newest first (paginated). POST: start a run of ``tahun`` →
    202 ``{"job": id}``; the same Celery task as the page's "Kirim" button. 400 when the instansi's SIASN
    settings are incomplete (``errors.tahun`` names the variables), 409 while a run is queued or running."""

    required_roles = ROLES

    class InputSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(min_value=2000, max_value=2100)
        jenis = serializers.ListField(
            child=serializers.ChoiceField(choices=JenisKirimanSiasn.choices),
            required=False,
            allow_empty=False,
            help_text="Yang dikirim (default: semua): skp22, periodik, angkakredit.",
        )

    def get_base_queryset(self) -> QuerySet[Job]:
        return Job.objects.filter(instansi=self.instansi, jenis=JOB_SIASN)

    @extend_schema(responses=SiasnJobOutput(many=True))
    def get(self, request: Request) -> Response:
        qs = self.get_queryset().order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SiasnJobOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: inline_serializer("SiasnJobDiterima", {"job": serializers.IntegerField()}),
            400: OpenApiResponse(description="Pengaturan SIASN instansi belum lengkap, atau isian salah."),
            409: OpenApiResponse(description="Pengiriman ke SIASN sedang berjalan."),
        },
        examples=[
            OpenApiExample("Kirim hasil tahunan 2026", value={"tahun": 2026}, request_only=True),
            OpenApiExample(
                "Kirim SKP tahunan dan angka kredit",
                value={"tahun": 2026, "jenis": ["skp22", "angkakredit"]},
                request_only=True,
            ),
            OpenApiExample("Diterima", value={"job": 812}, response_only=True, status_codes=["202"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jenis = tuple(dict.fromkeys(data.validated_data.get("jenis") or SEMUA_JENIS))
        job = siasn_kirim_start(
            actor=self.actor, instansi=self.instansi, tahun=data.validated_data["tahun"], jenis=jenis
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class SiasnHasilOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    jenis = serializers.CharField()
    hasil = serializers.CharField(help_text="terkirim or gagal")
    http_status = serializers.IntegerField(allow_null=True)
    pesan = serializers.CharField(help_text="SIASN's message, or why it was not sent")
    siasn_id = serializers.CharField(help_text="the record id SIASN returned")
    waktu = serializers.DateTimeField(source="created_at")


class SiasnJobHasilApi(TenantScopedApi):
    """The per-pegawai results of one send run (failures first), as the page's result table."""

    required_roles = ROLES

    def get_base_queryset(self) -> QuerySet[Job]:
        return Job.objects.filter(instansi=self.instansi, jenis=JOB_SIASN)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "hasil", str, enum=list(StatusKirimanSiasn.values), description="Saring per hasil."
            )
        ],
        responses=SiasnHasilOutput(many=True),
        examples=[
            OpenApiExample(
                "Satu gagal",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 5521,
                            "nip": "198703122010012005",
                            "jenis": "skp22",
                            "hasil": "gagal",
                            "http_status": 400,
                            "pesan": "Penilai tidak ditemukan pada unor",
                            "siasn_id": "",
                            "waktu": "2026-12-07T09:12:03+07:00",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        job = cast(Job, self.get_object())
        saring = request.query_params.get("hasil") or None
        if saring is not None and saring not in StatusKirimanSiasn.values:
            raise ApplicationError(
                _("Data tidak valid."),
                errors={
                    "hasil": [_("Pilih salah satu: %(v)s.") % {"v": ", ".join(StatusKirimanSiasn.values)}]
                },
            )
        qs: QuerySet[LogSiasn] = siasn_log_job(instansi=self.instansi, job=job, hasil=saring)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SiasnHasilOutput(page, many=True).data)


class SiasnTarikApi(TenantScopedApi):
    """Compare pegawai with SIASN's ``pns/data-utama/{nip}`` (at most 20 NIPs: SIASN is read while the call
    waits) → per NIP the differences (nama, jabatan, unor, golongan: ``[di aplikasi, di SIASN]``) and the
    ``sidik`` of the comparison. Send it again with ``"terapkan": true`` and that ``sidik`` to apply it (the
    page's confirm step, one transaction, audited); a different ``sidik`` (SIASN or the app changed
    meanwhile) → 409 with the fresh comparison. 400 without SIASN settings, 502 when SIASN cannot be read."""

    required_roles = ROLES

    class InputSerializer(serializers.Serializer):
        nip = serializers.ListField(
            child=serializers.CharField(max_length=18), allow_empty=False, max_length=MAX_NIP_HALAMAN
        )
        terapkan = serializers.BooleanField(required=False, default=False)
        sidik = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)

    def get_base_queryset(self) -> QuerySet[Job]:
        return Job.objects.none()

    @staticmethod
    def _baris(rows: list[Any]) -> list[dict[str, Any]]:
        return [
            {"nip": r.nip, "pegawai_id": r.pegawai_id, "nama": r.nama, "beda": {k: list(v) for k, v in r.beda.items()},
             "galat": r.galat}
            for r in rows
        ]  # fmt: skip

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "SiasnTarikOutput",
                {
                    "sidik": serializers.CharField(),
                    "baris": serializers.ListField(child=serializers.DictField()),
                    "diterapkan": serializers.BooleanField(),
                    "pegawai_diubah": serializers.IntegerField(allow_null=True),
                    "catatan": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: OpenApiResponse(description="NIP salah, atau pengaturan SIASN belum lengkap."),
            409: OpenApiResponse(description="Perbandingan berubah sejak ditampilkan (sidik lain)."),
            502: OpenApiResponse(description="SIASN tidak dapat dibaca."),
        },
        examples=[
            OpenApiExample("Bandingkan", value={"nip": ["198703122010012005"]}, request_only=True),
            OpenApiExample(
                "Terapkan yang ditampilkan",
                value={"nip": ["198703122010012005"], "terapkan": True, "sidik": "3f1c…"},
                request_only=True,
            ),
            OpenApiExample(
                "Perbedaan",
                value={
                    "sidik": "3f1c9a0e5b…",
                    "baris": [
                        {
                            "nip": "198703122010012005",
                            "pegawai_id": 41,
                            "nama": "Siti Rahma",
                            "beda": {"golongan": ["Penata Muda / III/a", "Penata Muda Tingkat I / III/b"]},
                            "galat": "",
                        }
                    ],
                    "diterapkan": False,
                    "pegawai_diubah": None,
                    "catatan": [],
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            nips = parse_nip(",".join(v["nip"]), maks=MAX_NIP_HALAMAN)
        except ValueError as exc:
            raise ApplicationError(_("Data tidak valid."), errors={"nip": [str(exc)]}) from None
        try:
            with SiasnClient(siasn_config_for(self.instansi.kode)) as client:
                rows = siasn_tarik_bandingkan(instansi=self.instansi, nips=nips, client=client)
        except SiasnBelumDiatur as exc:
            raise ApplicationError(str(exc), errors={"nip": [str(exc)]}) from None
        except SiasnError as exc:
            raise SiasnTidakTersedia(exc.pesan) from None
        sidik = perbandingan_hash(rows)
        body: dict[str, Any] = {
            "sidik": sidik, "baris": self._baris(rows), "diterapkan": False, "pegawai_diubah": None, "catatan": [],
        }  # fmt: skip
        if v["terapkan"]:
            if v["sidik"] != sidik:
                raise InvalidTransition(
                    _(
                        "Data di SIASN atau di aplikasi berubah sejak perbedaan ditampilkan; periksa lagi lalu terapkan."
                    ),
                    extra=body,
                )
            n, catatan = siasn_tarik_terapkan(actor=self.actor, instansi=self.instansi, rows=rows)
            body.update(diterapkan=True, pegawai_diubah=n, catatan=catatan)
        return Response(body)


class _FormatBukanRenderer(DefaultContentNegotiation):
    """``?format=csv|xlsx`` names the file (as on the page), not one of DRF's renderers."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class SiasnAuditApi(TenantScopedApi):
    """Every payload sent to SIASN in ``tahun`` and SIASN's answer, for inspectors: CSV (streamed) or XLSX,
    the same file as the page's export."""

    required_roles = ROLES
    pagination_class = None
    content_negotiation_class = _FormatBukanRenderer

    def get_base_queryset(self) -> QuerySet[LogSiasn]:
        return LogSiasn.objects.filter(instansi=self.instansi)

    @extend_schema(
        parameters=[
            OpenApiParameter("tahun", int, required=True),
            OpenApiParameter("format", str, enum=["csv", "xlsx"], description="Default csv."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV (the default)."),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX."),
            400: OpenApiResponse(description="tahun or format missing or wrong."),
        },
    )
    def get(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        raw, fmt = request.query_params.get("tahun", ""), request.query_params.get("format") or "csv"
        errors: dict[str, list[str]] = {}
        if not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):  # "²".isdigit(): int() fails
            errors["tahun"] = [_("Isi tahun 2000 sampai 2100.")]
        if fmt not in ("csv", "xlsx"):
            errors["format"] = [_("Pilih csv atau xlsx.")]
        if errors:
            raise ApplicationError(_("Data tidak valid."), errors=errors)
        return siasn_audit_response(instansi=self.instansi, tahun=int(raw), format=fmt)
