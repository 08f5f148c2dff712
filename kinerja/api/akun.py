"""Account security API: twins of "keluar dari semua perangkat" (``akun-keluar-semua``) and of an admin
logging a pegawai out everywhere (``pegawai-keluarkan``). Same service (``akun_keluar_semua``)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kinerja.access import access_pegawai
from kinerja.api.base import TenantScopedApi
from kinerja.models import Pegawai, Role
from kinerja.services.auth import akun_keluar_semua

Dicabut = inline_serializer("TokenDicabut", {"token_dicabut": serializers.IntegerField()})


class AkunKeluarSemuaApi(TenantScopedApi):
    """POST: end every web session and revoke every API token of the caller's account, the token of
    this request included (the next call answers 401)."""

    def get_base_queryset(self) -> QuerySet[Pegawai]:
        return Pegawai.objects.filter(instansi=self.instansi)

    @extend_schema(request=None, responses=Dicabut)
    def post(self, request: Request) -> Response:
        n = akun_keluar_semua(actor=self.actor, user=self.actor, instansi=self.instansi)
        return Response({"token_dicabut": n})


class PegawaiKeluarkanApi(TenantScopedApi):
    """POST (admin_instansi / platform_admin): log a pegawai of the instansi out of every device."""

    required_roles = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)

    def get_base_queryset(self) -> QuerySet[Pegawai]:
        return Pegawai.objects.filter(instansi=self.instansi)

    @extend_schema(request=None, responses=Dicabut)
    def post(self, request: Request, pk: int) -> Response:
        pegawai = access_pegawai(instansi=self.instansi, pegawai_id=pk)
        n = akun_keluar_semua(actor=self.actor, user=pegawai.user, instansi=self.instansi)
        return Response({"token_dicabut": n})
