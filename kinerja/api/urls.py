"""All API urls under /api/v1/. Each app contributes its own ``api_urls`` module."""

from django.urls import include, path

from . import akun, jobs, tim, views

urlpatterns = [
    path("auth/token/", views.AuthTokenApi.as_view(), name="api-auth-token"),
    path("auth/keluar-semua/", akun.AkunKeluarSemuaApi.as_view(), name="api-auth-keluar-semua"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("periode/", views.PeriodeListApi.as_view(), name="api-periode-list"),
    path("pegawai/", views.PegawaiListApi.as_view(), name="api-pegawai-list"),
    path("pegawai/<int:pk>/", views.PegawaiDetailApi.as_view(), name="api-pegawai-detail"),
    path("pegawai/<int:pk>/keluarkan/", akun.PegawaiKeluarkanApi.as_view(), name="api-pegawai-keluarkan"),
    path("unit-kerja/", views.UnitKerjaListApi.as_view(), name="api-unit-kerja-list"),
    path("jobs/<int:pk>/", views.JobDetailApi.as_view(), name="api-job-detail"),
    path("tim-kerja/", tim.TimListCreateApi.as_view(), name="api-tim-list"),
    path("tim-kerja/<int:pk>/", tim.TimDetailApi.as_view(), name="api-tim-detail"),
    path("tim-kerja/<int:pk>/anggota/", tim.TimAnggotaTambahApi.as_view(), name="api-tim-anggota"),
    path(
        "tim-kerja/<int:pk>/anggota/<str:nip>/",
        tim.TimAnggotaKeluarApi.as_view(),
        name="api-tim-anggota-keluar",
    ),
    path("jobs/<int:pk>/berkas/", jobs.JobBerkasApi.as_view(), name="api-job-berkas"),
    path("impor/", jobs.ImporApi.as_view(), name="api-impor"),
    path("ekspor/", jobs.EksporApi.as_view(), name="api-ekspor"),
    path("", include("skp.api_urls")),
    path("", include("perjanjian.api_urls")),
    path("", include("dialog.api_urls")),
    path("", include("evaluasi.api_urls")),
]
