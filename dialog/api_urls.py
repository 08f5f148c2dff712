from django.urls import path

from dialog import api, api_catatan, api_dokumentasi, api_log_harian, api_penugasan

urlpatterns = [
    path("umpan-balik/", api.UmpanBalikListCreateApi.as_view(), name="api-umpan-balik"),
    path("umpan-balik/jumlah/", api.UmpanBalikCountsApi.as_view(), name="api-umpan-balik-jumlah"),
    path("umpan-balik/<int:pk>/", api.UmpanBalikDetailApi.as_view(), name="api-umpan-balik-detail"),
    path("umpan-balik/<int:pk>/balasan/", api.UmpanBalikBalasApi.as_view(), name="api-umpan-balik-balasan"),
    path("umpan-balik/<int:pk>/dibaca/", api.UmpanBalikDibacaApi.as_view(), name="api-umpan-balik-dibaca"),
    path("permintaan-umpan-balik/", api.PermintaanCreateApi.as_view(), name="api-permintaan-umpan-balik"),
    path(
        "skp/<int:pk>/umpan-balik/baca-semua/",
        api.UmpanBalikBacaSemuaApi.as_view(),
        name="api-umpan-balik-baca-semua",
    ),
    path(
        "permintaan-umpan-balik/<int:pk>/batal/",
        api.PermintaanBatalApi.as_view(),
        name="api-permintaan-batal",
    ),
    path("notifikasi/", api.NotifikasiListApi.as_view(), name="api-notifikasi"),
    path("notifikasi/baca-semua/", api.NotifikasiBacaSemuaApi.as_view(), name="api-notifikasi-baca-semua"),
    path("notifikasi/preferensi/", api.PreferensiApi.as_view(), name="api-notifikasi-preferensi"),
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
    path(
        "log-harian/pengaturan/",
        api_log_harian.LogHarianPengaturanApi.as_view(),
        name="api-log-harian-pengaturan",
    ),
    path("log-harian/<int:pk>/", api_log_harian.LogHarianDetailApi.as_view(), name="api-log-harian-detail"),
    # daily documentation (contract §7)
    path(
        "skp/<int:pk>/rencana-aksi/",
        api_dokumentasi.RencanaAksiListCreateApi.as_view(),
        name="api-rencana-aksi",
    ),
    path(
        "rencana-aksi/<int:pk>/",
        api_dokumentasi.RencanaAksiDetailApi.as_view(),
        name="api-rencana-aksi-detail",
    ),
    path("skp/<int:pk>/realisasi/", api_dokumentasi.RealisasiApi.as_view(), name="api-realisasi"),
    path("realisasi/<int:pk>/bukti/", api_dokumentasi.BuktiCreateApi.as_view(), name="api-realisasi-bukti"),
    path("bukti/<int:pk>/", api_dokumentasi.BuktiDetailApi.as_view(), name="api-bukti-detail"),
    # dialog records (dialog kinerja, bimbingan, konseling; B.1.8, B.1.9)
    path("catatan/", api_catatan.CatatanListCreateApi.as_view(), name="api-catatan"),
    path("catatan/<int:pk>/", api_catatan.CatatanDetailApi.as_view(), name="api-catatan-detail"),
    path(
        "catatan/<int:pk>/tindak-lanjut/",
        api_catatan.TindakLanjutCreateApi.as_view(),
        name="api-catatan-tindak-lanjut",
    ),
    path(
        "tindak-lanjut/<int:pk>/status/",
        api_catatan.TindakLanjutStatusApi.as_view(),
        name="api-tindak-lanjut-status",
    ),
    path("catatan/<int:pk>/b18/", api_catatan.B18Api.as_view(), name="api-catatan-b18"),
    path("catatan/<int:pk>/b19/", api_catatan.B19Api.as_view(), name="api-catatan-b19"),
    # penugasan (and across instansi)
    path("penugasan/", api_penugasan.PenugasanListCreateApi.as_view(), name="api-penugasan"),
    path("penugasan/<int:pk>/", api_penugasan.PenugasanDetailApi.as_view(), name="api-penugasan-detail"),
    path(
        "penugasan/<int:pk>/terima/", api_penugasan.PenugasanTerimaApi.as_view(), name="api-penugasan-terima"
    ),
    path("penugasan/<int:pk>/tolak/", api_penugasan.PenugasanTolakApi.as_view(), name="api-penugasan-tolak"),
    path("penugasan/<int:pk>/batal/", api_penugasan.PenugasanBatalApi.as_view(), name="api-penugasan-batal"),
    path(
        "penugasan/<int:pk>/relawan/",
        api_penugasan.PenugasanRelawanApi.as_view(),
        name="api-penugasan-relawan",
    ),
    path("penugasan-lintas/", api_penugasan.PenugasanLintasListApi.as_view(), name="api-penugasan-lintas"),
    path(
        "penugasan-lintas/<int:pk>/",
        api_penugasan.PenugasanLintasDetailApi.as_view(),
        name="api-penugasan-lintas-detail",
    ),
    path(
        "penugasan-lintas/<int:pk>/putuskan/",
        api_penugasan.PenugasanLintasPutuskanApi.as_view(),
        name="api-penugasan-lintas-putuskan",
    ),
    path(
        "penugasan-keluar/",
        api_penugasan.PenugasanKeluarListCreateApi.as_view(),
        name="api-penugasan-keluar",
    ),
    path(
        "penugasan-keluar/<int:pk>/",
        api_penugasan.PenugasanKeluarDetailApi.as_view(),
        name="api-penugasan-keluar-detail",
    ),
    path(
        "penugasan-keluar/<int:pk>/batal/",
        api_penugasan.PenugasanKeluarBatalApi.as_view(),
        name="api-penugasan-keluar-batal",
    ),
    path(
        "penugasan-keluar/<int:pk>/umpan-balik/",
        api_penugasan.PenugasanKeluarUmpanBalikApi.as_view(),
        name="api-penugasan-keluar-umpan-balik",
    ),
]
