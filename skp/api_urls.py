from django.urls import path

from skp import api

urlpatterns = [
    path("skp/", api.SkpListCreateApi.as_view(), name="api-skp-list"),
    path("skp/inbox/", api.SkpInboxApi.as_view(), name="api-skp-inbox"),
    path("skp/setujui-massal/", api.SkpBulkApproveApi.as_view(), name="api-skp-bulk-approve"),
    path("skp/<int:pk>/", api.SkpDetailApi.as_view(), name="api-skp-detail"),
    path("skp/<int:pk>/rhk/", api.RhkCreateApi.as_view(), name="api-skp-rhk-create"),
    path("skp/<int:pk>/rhk-pimpinan/", api.RhkPimpinanChoicesApi.as_view(), name="api-skp-rhk-pimpinan"),
    path("skp/<int:pk>/ajukan/", api.SkpSubmitApi.as_view(), name="api-skp-ajukan"),
    path("skp/<int:pk>/setujui/", api.SkpApproveApi.as_view(), name="api-skp-setujui"),
    path("skp/<int:pk>/kembalikan/", api.SkpReturnApi.as_view(), name="api-skp-kembalikan"),
    path("skp/<int:pk>/revisi/", api.SkpRevisiApi.as_view(), name="api-skp-revisi"),
    path("skp/<int:pk>/salin/", api.SkpSalinApi.as_view(), name="api-skp-salin"),
    path("skp/<int:pk>/ekspektasi/", api.SkpEkspektasiApi.as_view(), name="api-skp-ekspektasi"),
    path("skp/<int:pk>/riwayat/", api.SkpRiwayatApi.as_view(), name="api-skp-riwayat"),
    path("skp/<int:pk>/matriks/", api.MatriksPeranHasilApi.as_view(), name="api-skp-matriks"),
    path("skp/<int:pk>/matriks/usul/", api.MatriksUsulApi.as_view(), name="api-skp-matriks-usul"),
    path("skp/<int:pk>/dokumen/", api.SkpDokumenApi.as_view(), name="api-skp-dokumen"),
    path("rhk/<int:pk>/", api.RhkDetailApi.as_view(), name="api-rhk-detail"),
]
