"""All API urls under /api/v1/. Each app contributes its own ``api_urls`` module."""

from django.urls import include, path

from . import tim, views

urlpatterns = [
    path("auth/token/", views.AuthTokenApi.as_view(), name="api-auth-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("periode/", views.PeriodeListApi.as_view(), name="api-periode-list"),
    path("pegawai/", views.PegawaiListApi.as_view(), name="api-pegawai-list"),
    path("pegawai/<int:pk>/", views.PegawaiDetailApi.as_view(), name="api-pegawai-detail"),
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
    path("", include("skp.api_urls")),
    path("", include("perjanjian.api_urls")),
    path("", include("dialog.api_urls")),
    path("", include("evaluasi.api_urls")),
]
