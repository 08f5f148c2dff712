"""Log harian REST API (api-contract.md §7): create/list, change/delete own entries, bulk verification by
the Pejabat Penilai, the monthly recap. One class per operation; parse → access (404) → service →
serialize. The pages call the same services (``dialog.views.log_harian``)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dialog import log_harian_selectors as sel
from dialog.models import LogHarian, StatusLog
from dialog.services import log_harian as svc
from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models.tenancy import Role
from kinerja.selectors.people import pegawai_dinilai_ids
from kinerja.tenancy import pegawai_of


class LogHarianOutput(serializers.Serializer):
    id = serializers.IntegerField()
    pegawai = serializers.IntegerField(source="pegawai_id")
    pegawai_nama = serializers.CharField(source="pegawai.nama")
    tanggal = serializers.DateField()
    rhk = serializers.IntegerField(source="rhk_id")
    rhk_teks = serializers.CharField(source="rhk.rencana_hasil_kerja")
    rencana_aksi = serializers.IntegerField(source="rencana_aksi_id", allow_null=True)
    uraian = serializers.CharField()
    durasi_menit = serializers.IntegerField()
    tautan = serializers.SerializerMethodField()
    berkas = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=StatusLog.choices)
    catatan_verifikasi = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)

    def get_tautan(self, obj: LogHarian) -> str | None:
        return obj.tautan or None

    def get_berkas(self, obj: LogHarian) -> dict[str, Any] | None:
        if not obj.berkas:
            return None
        return {"nama": obj.nama_berkas, "tipe": obj.tipe_konten, "ukuran": obj.ukuran, "sha256": obj.sha256}


_CONTOH_BARU = OpenApiExample(
    "Log satu kegiatan",
    value={
        "tanggal": "2026-03-02",
        "rhk": 41,
        "rencana_aksi": None,
        "uraian": "Memverifikasi 25 berkas usulan kenaikan pangkat",
        "durasi_menit": 120,
        "tautan": None,
    },
    request_only=True,
)
_CONTOH_HASIL = OpenApiExample(
    "Log tersimpan",
    value={
        "id": 9001,
        "pegawai": 12,
        "pegawai_nama": "Siti Aminah, S.E.",
        "tanggal": "2026-03-02",
        "rhk": 41,
        "rhk_teks": "Terverifikasinya usulan kenaikan pangkat",
        "rencana_aksi": None,
        "uraian": "Memverifikasi 25 berkas usulan kenaikan pangkat",
        "durasi_menit": 120,
        "tautan": None,
        "berkas": None,
        "status": "menunggu",
        "catatan_verifikasi": "",
        "verified_at": None,
    },
    response_only=True,
    status_codes=["201"],
)
_CONTOH_400 = OpenApiExample(
    "Tanggal di masa depan",
    value={"detail": "Log harian belum tersimpan. Periksa isian yang ditandai.",
           "errors": {"tanggal": ["Tanggal tidak boleh di masa depan."]}},
    response_only=True,
    status_codes=["400"],
)  # fmt: skip


class _Input(serializers.Serializer):
    tanggal = serializers.DateField()
    rhk = serializers.IntegerField()
    rencana_aksi = serializers.IntegerField(allow_null=True, required=False, default=None)
    uraian = serializers.CharField(max_length=4000)
    durasi_menit = serializers.IntegerField()
    tautan = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, default=None, max_length=2000
    )
    berkas = serializers.FileField(required=False, allow_null=True, default=None)


def _hasil(log_id: int, instansi: Any) -> LogHarian:
    return LogHarian.objects.select_related("rhk", "pegawai").get(instansi=instansi, pk=log_id)


class LogHarianListCreateApi(TenantScopedApi):
    """GET: own entries; a Pejabat Penilai also those of the pegawai they appraise (``?pegawai=`` for one
    of them: 404 if not theirs), ``?dari=&sampai=`` (dates), ``?status=``. POST: one entry → 201
    ``menunggu``; JSON, or multipart with the evidence file in ``berkas`` (PDF/JPEG/PNG ≤ 10 MB)."""

    class FilterSerializer(serializers.Serializer):
        pegawai = serializers.IntegerField(required=False)
        dari = serializers.DateField(required=False)
        sampai = serializers.DateField(required=False)
        status = serializers.ChoiceField(choices=StatusLog.choices, required=False)

    InputSerializer = _Input

    def get_base_queryset(self) -> QuerySet[LogHarian]:
        return LogHarian.objects.none()

    @extend_schema(
        parameters=[FilterSerializer], responses=LogHarianOutput(many=True), examples=[_CONTOH_HASIL]
    )
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        v = f.validated_data
        if "pegawai" in v:
            p = sel.log_harian_pegawai_access(
                user=self.actor, instansi=self.instansi, roles=self.roles, pegawai_id=v["pegawai"]
            )
            ids = [p.pk]
        else:
            own = pegawai_of(self.actor)
            ids = [own.pk] if own is not None and own.instansi_id == self.instansi.pk else []
            ids += pegawai_dinilai_ids(user=self.actor, instansi=self.instansi)
        qs = sel.log_harian_list(
            instansi=self.instansi,
            pegawai_ids=ids,
            dari=v.get("dari"),
            sampai=v.get("sampai"),
            status=v.get("status"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(LogHarianOutput(page, many=True).data)

    @extend_schema(
        request={"application/json": _Input, "multipart/form-data": _Input},
        responses={201: LogHarianOutput},
        examples=[_CONTOH_BARU, _CONTOH_HASIL, _CONTOH_400],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        log = svc.log_harian_create(
            actor=self.actor,
            instansi=self.instansi,
            tanggal=v["tanggal"],
            rhk_id=v["rhk"],
            rencana_aksi_id=v["rencana_aksi"],
            uraian=v["uraian"],
            durasi_menit=v["durasi_menit"],
            tautan=v["tautan"],
            berkas=v["berkas"],
        )
        return Response(LogHarianOutput(_hasil(log.pk, self.instansi)).data, status=status.HTTP_201_CREATED)


class LogHarianDetailApi(TenantScopedApi):
    """The owner's own entry: GET, PATCH (only ``menunggu``/``ditolak``; a rejected one goes back to
    ``menunggu``), DELETE (same states). Someone else's entry → 404; an accepted one → 409."""

    class PatchSerializer(_Input):
        hapus_berkas = serializers.BooleanField(required=False, default=False)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, partial=True, **kwargs)

    def get_base_queryset(self) -> QuerySet[LogHarian]:
        return LogHarian.objects.none()

    @extend_schema(responses=LogHarianOutput)
    def get(self, request: Request, pk: int) -> Response:
        log = sel.log_harian_own_access(user=self.actor, instansi=self.instansi, log_id=pk)
        return Response(LogHarianOutput(_hasil(log.pk, self.instansi)).data)

    @extend_schema(
        request={"application/json": PatchSerializer, "multipart/form-data": PatchSerializer},
        responses=LogHarianOutput,
        examples=[
            OpenApiExample("Perbaiki durasi lalu kirim ulang", value={"durasi_menit": 90}, request_only=True)
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        log = sel.log_harian_own_access(user=self.actor, instansi=self.instansi, log_id=pk)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        berkas = v.pop("berkas", None)
        hapus = v.pop("hapus_berkas", False)
        log = svc.log_harian_update(
            actor=self.actor, instansi=self.instansi, log=log, data=v, berkas=berkas, hapus_berkas=hapus
        )
        return Response(LogHarianOutput(_hasil(log.pk, self.instansi)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        log = sel.log_harian_own_access(user=self.actor, instansi=self.instansi, log_id=pk)
        svc.log_harian_delete(actor=self.actor, instansi=self.instansi, log=log)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogHarianVerifikasiApi(TenantScopedApi):
    """Pejabat Penilai: accept or reject many entries at once (one transaction). An id not of a pegawai
    they appraise → 404 and nothing changes. A rejection needs ``catatan``."""

    required_roles = ("pejabat_penilai",)

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=5000)
        status = serializers.ChoiceField(choices=[StatusLog.DITERIMA, StatusLog.DITOLAK])
        catatan = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)

    def get_base_queryset(self) -> QuerySet[LogHarian]:
        return LogHarian.objects.none()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("LogHarianVerifikasiHasil", {"diubah": serializers.IntegerField()})
        },
        examples=[
            OpenApiExample(
                "Tolak dua log",
                value={"ids": [9001, 9002], "status": "ditolak", "catatan": "Lampirkan daftar berkasnya."},
                request_only=True,
            ),
            OpenApiExample("Hasil", value={"diubah": 2}, response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        n = svc.log_harian_verify(
            actor=self.actor, instansi=self.instansi, ids=v["ids"], status=v["status"], catatan=v["catatan"]
        )
        return Response({"diubah": n})


class _Jumlah(serializers.Serializer):
    menit = serializers.IntegerField()
    jumlah = serializers.IntegerField()


class _PerStatus(serializers.Serializer):
    menunggu = _Jumlah()
    diterima = _Jumlah()
    ditolak = _Jumlah()


class RekapRhkOutput(serializers.Serializer):
    rhk = serializers.IntegerField(source="rhk_id")
    rencana_hasil_kerja = serializers.CharField()
    menit = serializers.IntegerField()
    jumlah = serializers.IntegerField()
    per_status = _PerStatus()


class RekapOutput(serializers.Serializer):
    pegawai = serializers.IntegerField(source="pegawai_id")
    tahun = serializers.IntegerField()
    bulan = serializers.IntegerField()
    menit = serializers.IntegerField()
    jumlah = serializers.IntegerField()
    per_status = _PerStatus()
    rhk = RekapRhkOutput(many=True)


class LogHarianRekapApi(TenantScopedApi):
    """Minutes and counts per RHK and per status of one pegawai's month (default: the caller, this month)."""

    class FilterSerializer(serializers.Serializer):
        pegawai = serializers.IntegerField(required=False)
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        bulan = serializers.IntegerField(required=False, min_value=1, max_value=12)

    def get_base_queryset(self) -> QuerySet[LogHarian]:
        return LogHarian.objects.none()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=RekapOutput,
        examples=[
            OpenApiExample(
                "Rekap Maret",
                value={
                    "pegawai": 12,
                    "tahun": 2026,
                    "bulan": 3,
                    "menit": 600,
                    "jumlah": 5,
                    "per_status": {
                        "menunggu": {"menit": 120, "jumlah": 1},
                        "diterima": {"menit": 480, "jumlah": 4},
                        "ditolak": {"menit": 0, "jumlah": 0},
                    },
                    "rhk": [
                        {
                            "rhk": 41,
                            "rencana_hasil_kerja": "Terverifikasinya usulan kenaikan pangkat",
                            "menit": 600,
                            "jumlah": 5,
                            "per_status": {
                                "menunggu": {"menit": 120, "jumlah": 1},
                                "diterima": {"menit": 480, "jumlah": 4},
                                "ditolak": {"menit": 0, "jumlah": 0},
                            },
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        v = f.validated_data
        if "pegawai" in v:
            p = sel.log_harian_pegawai_access(
                user=self.actor, instansi=self.instansi, roles=self.roles, pegawai_id=v["pegawai"]
            )
        else:
            p = pegawai_of(self.actor)
            if p is None or p.instansi_id != self.instansi.pk:
                raise ApplicationError(
                    "Sebutkan pegawai.", errors={"pegawai": ["Wajib diisi untuk akun tanpa data pegawai."]}
                )
        today = timezone.localdate()
        rekap = sel.log_harian_rekap(
            instansi=self.instansi,
            pegawai_id=p.pk,
            tahun=v.get("tahun", today.year),
            bulan=v.get("bulan", today.month),
        )
        return Response(RekapOutput(rekap).data)


class PengaturanOutput(serializers.Serializer):
    aktif = serializers.BooleanField()
    hari_kunci = serializers.IntegerField()
    pengingat_aktif = serializers.BooleanField()
    pengingat_hari_kerja = serializers.IntegerField()


_CONTOH_PENGATURAN = {"aktif": True, "hari_kunci": 10, "pengingat_aktif": True, "pengingat_hari_kerja": 3}


class LogHarianPengaturanApi(TenantScopedApi):
    """GET: the instansi's daily-log settings (the defaults when never changed: on, locked 5 days after
    the month ends, no reminders), for every user of the instansi. PUT: admin_instansi only (others 404);
    audited."""

    class InputSerializer(serializers.Serializer):
        aktif = serializers.BooleanField()
        hari_kunci = serializers.IntegerField()
        pengingat_aktif = serializers.BooleanField()
        pengingat_hari_kerja = serializers.IntegerField()

    def get_base_queryset(self) -> QuerySet[LogHarian]:
        return LogHarian.objects.filter(instansi=self.instansi)

    @extend_schema(
        responses=PengaturanOutput,
        examples=[OpenApiExample("Bawaan", response_only=True, value={**_CONTOH_PENGATURAN, "hari_kunci": 5,
                                                                        "pengingat_aktif": False})],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(PengaturanOutput(sel.pengaturan_log_harian(instansi=self.instansi)).data)

    @extend_schema(
        request=InputSerializer,
        responses=PengaturanOutput,
        description="hari_kunci 0..60 (days after the month's end until entries of that month are locked), "
        "pengingat_hari_kerja 1..20 (working days without an entry before the reminder). Out of range → 400 "
        "with errors per field; nothing is written.",
        examples=[
            OpenApiExample(
                "Kunci 10 hari, pengingat 3 hari kerja", request_only=True, value=_CONTOH_PENGATURAN
            ),
            OpenApiExample(
                "Di luar batas",
                response_only=True,
                status_codes=["400"],
                value={
                    "detail": "Pengaturan log harian belum tersimpan.",
                    "errors": {"hari_kunci": ["Isi antara 0 dan 60 hari setelah akhir bulan."]},
                },
            ),
        ],
    )
    def put(self, request: Request) -> Response:
        if not self.has_role(Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN):
            raise NotFoundOrForbidden()  # who may write is told before what is wrong with the body
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = svc.log_harian_pengaturan_set(
            actor=self.actor, roles=self.roles, instansi=self.instansi, **data.validated_data
        )
        return Response(PengaturanOutput(obj).data)
