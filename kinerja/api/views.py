"""Core API: token login, me/, periode/, pegawai/ and unit-kerja/."""

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kinerja.api.throttling import LoginRateThrottle
from kinerja.auth import authenticate_guarded
from kinerja.models import Job, JobStatus, Pegawai, Periode, Role, UnitKerja
from kinerja.selectors.jobs import job_visible_to
from kinerja.selectors.org import unit_kerja_list
from kinerja.selectors.people import pegawai_dinilai_oleh, pegawai_list
from kinerja.services.auth import token_create, token_revoke
from kinerja.services.jobs import job_requeue_waiting
from kinerja.services.tenancy import periode_ensure_year
from kinerja.tenancy import pegawai_of

from .authentication import TokenAuthentication
from .base import TenantScopedApi


class AuthTokenApi(APIView):
    """POST username (NIP) + password -> a new {"token", "expiry"}. Locked out after repeated failures
    (axes). DELETE with ``Authorization: Token ...`` revokes that token (204)."""

    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=64)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    def _is_logout(self) -> bool:
        return getattr(self.request, "method", None) == "DELETE"  # no request while the schema is built

    def get_authenticators(self) -> list[Any]:
        # The login itself ignores any (old, expired) Authorization header; only DELETE needs a token.
        return [TokenAuthentication()] if self._is_logout() else []

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self._is_logout() else [AllowAny()]

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "TokenOutput",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField(allow_null=True)},
            )
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # the login guard (kinerja/auth.py): per-address and per-NIP limits, NIP typed with spaces
        user, penolakan = authenticate_guarded(
            request._request, data.validated_data["username"], data.validated_data["password"]
        )
        if penolakan is not None:
            return Response(
                {"detail": penolakan.pesan},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"Retry-After": str(penolakan.detik)},
            )
        if user is None or not user.is_active:
            return Response({"detail": "NIP atau kata sandi salah."}, status=status.HTTP_401_UNAUTHORIZED)
        token, expiry = token_create(user=user)
        return Response({"token": token, "expiry": expiry})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstansiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kode = serializers.CharField()
    nama = serializers.CharField()


class MeApi(TenantScopedApi):
    class OutputSerializer(serializers.Serializer):
        nip = serializers.CharField()
        nama = serializers.CharField()
        instansi = InstansiOutput()
        roles = serializers.ListField(child=serializers.CharField())
        pegawai_id = serializers.IntegerField(allow_null=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user: Any = request.user
        own = pegawai_of(user)
        pegawai_id = own.pk if own is not None and own.instansi_id == self.instansi.pk else None
        data = {
            "nip": user.nip,
            "nama": own.nama if own is not None else user.nama,
            "instansi": self.instansi,
            "roles": self.roles,
            "pegawai_id": pegawai_id,
        }
        return Response(self.OutputSerializer(data).data)


class PeriodeListApi(TenantScopedApi):
    pagination_class = None

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        tahun = serializers.IntegerField()
        nomor = serializers.IntegerField()
        mulai = serializers.DateField()
        selesai = serializers.DateField()
        siklus = serializers.CharField()

    class FilterSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    def get_base_queryset(self) -> QuerySet[Periode]:
        return Periode.objects.filter(instansi=self.instansi).order_by("tahun", "mulai")

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        # The year asked for (default: this year) is generated if it never was, as the pages do
        # (beranda, realisasi): an API client must find the ids of the periods it documents against.
        tahun = filters.validated_data.get("tahun") or timezone.localdate().year
        if not self.get_queryset().filter(tahun=tahun).exists():
            periode_ensure_year(instansi=self.instansi, tahun=tahun)
        qs = self.get_queryset()
        if "tahun" in filters.validated_data:
            qs = qs.filter(tahun=filters.validated_data["tahun"])
        return Response(self.OutputSerializer(qs, many=True).data)


class PegawaiRingkasOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()
    status = serializers.CharField()
    pangkat_golongan = serializers.CharField()
    jabatan = serializers.CharField(source="jabatan.nama")
    jenis_jabatan = serializers.CharField(source="jabatan.jenis")
    unit_kerja = serializers.CharField(source="unit_kerja.nama")
    unit_kerja_id = serializers.IntegerField()
    atasan_id = serializers.IntegerField(allow_null=True)


class _VisiblePegawaiMixin:
    """Admins and HR see everyone; a pejabat penilai sees the people they appraise; others only themselves."""

    def get_base_queryset(self: Any) -> QuerySet[Pegawai]:
        if self.has_role(Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN):
            return pegawai_list(instansi=self.instansi)
        own = pegawai_of(self.request.user)
        visible = pegawai_list(instansi=self.instansi).filter(pk=own.pk if own else -1)
        if self.has_role(Role.PEJABAT_PENILAI):
            dinilai = pegawai_dinilai_oleh(user=self.actor, instansi=self.instansi)
            visible = pegawai_list(instansi=self.instansi).filter(pk__in=dinilai.values("pk")) | visible
        return visible


class PegawaiListApi(_VisiblePegawaiMixin, TenantScopedApi):
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)
        unit = serializers.IntegerField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PegawaiRingkasOutput(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = self.get_queryset()
        q = filters.validated_data.get("q")
        if q:
            qs = qs.filter(nip__startswith=q) if q.isdigit() else qs.filter(nama__icontains=q)
        if "unit" in filters.validated_data:
            qs = qs.filter(unit_kerja_id=filters.validated_data["unit"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PegawaiRingkasOutput(page, many=True).data)


class PegawaiDetailApi(_VisiblePegawaiMixin, TenantScopedApi):
    @extend_schema(responses=PegawaiRingkasOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PegawaiRingkasOutput(self.get_object()).data)


class UnitKerjaListApi(TenantScopedApi):
    pagination_class = None
    required_roles = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN, Role.PEGAWAI)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        nama = serializers.CharField()
        induk_id = serializers.IntegerField(allow_null=True)
        depth = serializers.IntegerField()
        jumlah_pegawai = serializers.IntegerField()

    def get_base_queryset(self) -> QuerySet[UnitKerja]:
        return unit_kerja_list(instansi=self.instansi)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(self.get_queryset(), many=True).data)


class JobDetailApi(TenantScopedApi):
    """Progress of a background job started by the caller (or any job, for admin/hr of the instansi)."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        jenis = serializers.CharField()
        status = serializers.CharField()
        progress = serializers.IntegerField()
        detail = serializers.JSONField()
        pesan = serializers.CharField()
        created_at = serializers.DateTimeField()
        finished_at = serializers.DateTimeField(allow_null=True)

    def get_base_queryset(self) -> QuerySet[Job]:
        return job_visible_to(instansi=self.instansi, user=self.actor, roles=self.roles)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = cast(Job, self.get_object())
        job_requeue_waiting(job=job)  # started while the queue was down: re-sent once it is back
        data = self.OutputSerializer(job).data
        if job.status == JobStatus.SELESAI and job.hasil:  # the result file (export, ZIP, PDF)
            data["detail"] = {
                **(job.detail or {}),
                "url": request.build_absolute_uri(reverse("api-job-berkas", args=[job.pk])),
            }
        return Response(data)
