from django.urls import path

from evaluasi import views, views_dokumen, views_non_asn
from evaluasi.siasn import views as views_siasn

app_name = "evaluasi"
urlpatterns = [
    path("", views.daftar, name="daftar"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/dokumen/", views_dokumen.evaluasi_dokumen, name="dokumen"),
    path("<int:pk>/keberatan/", views.keberatan_ajukan, name="keberatan-ajukan"),
    path("<int:pk>/tindak-lanjut/", views.tindak_lanjut_langkah, name="tindak-lanjut-langkah"),
    path("keberatan/", views.keberatan_daftar, name="keberatan-daftar"),
    path("keberatan/<int:pk>/", views.keberatan_putus, name="keberatan-putus"),
    path("unit/<int:pk>/", views.unit, name="unit"),
    path("unit/<int:pk>/dokumen/", views_dokumen.penetapan_dokumen, name="unit-dokumen"),
    path("laporan/", views.laporan, name="laporan"),
    path("laporan/unit/<int:pk>/", views.laporan_unit, name="laporan-unit"),
    path("tahunan/", views.tahunan, name="tahunan"),
    path("tahunan/<int:pk>/", views.tahunan_hasil, name="tahunan-hasil"),
    path("skp/<int:pk>/nilai/", views.nilai_skp, name="nilai-skp"),
    path("pejabat-non-asn/", views_non_asn.daftar, name="non-asn-daftar"),
    path("pejabat-non-asn/baru/", views_non_asn.baru, name="non-asn-baru"),
    path("pejabat-non-asn/<int:pk>/", views_non_asn.ubah, name="non-asn-ubah"),
    path("siasn/", views_siasn.siasn, name="siasn"),
    path("siasn/tarik/", views_siasn.siasn_tarik, name="siasn-tarik"),
    path("siasn/audit/", views_siasn.siasn_audit, name="siasn-audit"),
]
