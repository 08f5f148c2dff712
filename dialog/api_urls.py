from django.urls import path

from dialog import api, api_log_harian

urlpatterns = [
    path("umpan-balik/", api.UmpanBalikListCreateApi.as_view(), name="api-umpan-balik"),
    path("umpan-balik/jumlah/", api.UmpanBalikCountsApi.as_view(), name="api-umpan-balik-jumlah"),
    path("umpan-balik/<int:pk>/", api.UmpanBalikDetailApi.as_view(), name="api-umpan-balik-detail"),
    path("umpan-balik/<int:pk>/balasan/", api.UmpanBalikBalasApi.as_view(), name="api-umpan-balik-balasan"),
    path("umpan-balik/<int:pk>/dibaca/", api.UmpanBalikDibacaApi.as_view(), name="api-umpan-balik-dibaca"),
    path("permintaan-umpan-balik/", api.PermintaanCreateApi.as_view(), name="api-permintaan-umpan-balik"),
    path("notifikasi/", api.NotifikasiListApi.as_view(), name="api-notifikasi"),
    path("notifikasi/<int:pk>/dibaca/", api.NotifikasiDibacaApi.as_view(), name="api-notifikasi-dibaca"),
    path("pegawai/<int:pk>/linimasa/", api.LinimasaApi.as_view(), name="api-linimasa"),
    path("feed-tim/", api.FeedTimApi.as_view(), name="api-feed-tim"),
    path("log-harian/", api_log_harian.LogHarianListCreateApi.as_view(), name="api-log-harian"),
    path(
        "log-harian/verifikasi/",
        api_log_harian.LogHarianVerifikasiApi.as_view(),
        name="api-log-harian-verifikasi",
    ),
    path("log-harian/rekap/", api_log_harian.LogHarianRekapApi.as_view(), name="api-log-harian-rekap"),
    path("log-harian/<int:pk>/", api_log_harian.LogHarianDetailApi.as_view(), name="api-log-harian-detail"),
]
