"""Document URLs: public verification (no login) and the HR export / document-job pages."""

from django.urls import path

from kinerja import views_dokumen

urlpatterns = [
    path("verifikasi/", views_dokumen.verifikasi_index, name="dokumen-verifikasi-index"),
    path("verifikasi/<str:kode>/", views_dokumen.verifikasi_detail, name="dokumen-verifikasi"),
    path("dokumen/ekspor/", views_dokumen.ekspor_index, name="dokumen-ekspor"),
    path("dokumen/ekspor/<slug:key>/", views_dokumen.ekspor_unduh, name="dokumen-ekspor-unduh"),
    path("dokumen/jobs/<slug:key>/mulai/", views_dokumen.job_mulai, name="dokumen-job-mulai"),
    path("dokumen/jobs/<int:pk>/", views_dokumen.job_halaman, name="dokumen-job"),
]
