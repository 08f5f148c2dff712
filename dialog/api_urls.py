from django.urls import path

from dialog import api

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
]
