from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from kinerja import views, views_akun, views_audit, views_jobs, views_status, views_tim
from kinerja.api.docs import KinerjaSwaggerView

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz/", views.healthz, name="healthz"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/kata-sandi/selesai/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("platform/instansi/", views.platform_instansi_pilih, name="platform-instansi"),
    path("organisasi/", views.org_tree, name="org-tree"),
    path("organisasi/unit/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("pegawai/", views.pegawai_list_view, name="pegawai-list"),
    path("pegawai/<int:pk>/", views.pegawai_detail_view, name="pegawai-detail"),
    path("pegawai/<int:pk>/keluarkan/", views_akun.pegawai_keluarkan_view, name="pegawai-keluarkan"),
    path("akun/keluar-semua/", views_akun.akun_keluar_semua_view, name="akun-keluar-semua"),
    path("impor/", views.impor_view, name="impor"),
    path("tim-kerja/", views_tim.tim_list_view, name="tim-list"),
    path("tim-kerja/<int:pk>/", views_tim.tim_detail_view, name="tim-detail"),
    path("tim-kerja/<int:pk>/ubah/", views_tim.tim_ubah_view, name="tim-ubah"),
    path("tim-kerja/<int:pk>/anggota/", views_tim.tim_anggota_tambah_view, name="tim-anggota-tambah"),
    path(
        "tim-kerja/<int:pk>/anggota/<int:anggota_pk>/keluarkan/",
        views_tim.tim_anggota_keluar_view,
        name="tim-anggota-keluar",
    ),
    path("audit/", views_audit.audit_page, name="audit"),
    path("audit/csv/", views_audit.audit_csv, name="audit-csv"),
    path("status/", views_status.status_page, name="status"),
    path("jobs/<int:pk>/kemajuan/", views_jobs.job_progress, name="job-progress"),
    path("jobs/<int:pk>/unduh/", views_jobs.job_download, name="job-download"),
    path("skp/", include("skp.urls")),
    path("perjanjian-kinerja/", include("perjanjian.urls")),
    path("dialog/", include("dialog.urls")),
    path("evaluasi/", include("evaluasi.urls")),
    path("api/v1/", include("kinerja.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", KinerjaSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("kinerja.urls_dokumen")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]

handler404 = "kinerja.request_guard.page_not_found"
