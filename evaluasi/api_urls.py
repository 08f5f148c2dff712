from django.urls import path

from evaluasi import api
from evaluasi.siasn import api as api_siasn

urlpatterns = [
    path("evaluasi/", api.EvaluasiListApi.as_view(), name="api-evaluasi-list"),
    path("evaluasi/<int:pk>/", api.EvaluasiDetailApi.as_view(), name="api-evaluasi-detail"),
    path("evaluasi/<int:pk>/dokumen/", api.EvaluasiDokumenApi.as_view(), name="api-evaluasi-dokumen"),
    path("evaluasi/<int:pk>/keberatan/", api.KeberatanAjukanApi.as_view(), name="api-evaluasi-keberatan"),
    path(
        "evaluasi/<int:pk>/tindak-lanjut/",
        api.LangkahTindakLanjutApi.as_view(),
        name="api-evaluasi-tindak-lanjut",
    ),
    path("keberatan/<int:pk>/putus/", api.KeberatanPutusApi.as_view(), name="api-keberatan-putus"),
    path("kinerja-organisasi/<int:pk>/", api.KinerjaOrganisasiApi.as_view(), name="api-kinerja-organisasi"),
    path("tahunan/", api.TahunanBatchApi.as_view(), name="api-tahunan"),
    # SIASN (api-contract §6): twins of the admin pages
    path("siasn/jobs/", api_siasn.SiasnJobsApi.as_view(), name="api-siasn-jobs"),
    path("siasn/jobs/<int:pk>/hasil/", api_siasn.SiasnJobHasilApi.as_view(), name="api-siasn-job-hasil"),
    path("siasn/tarik/", api_siasn.SiasnTarikApi.as_view(), name="api-siasn-tarik"),
    path("siasn/audit/", api_siasn.SiasnAuditApi.as_view(), name="api-siasn-audit"),
]
