from django.urls import path

from skp import views

app_name = "skp"
urlpatterns = [
    path("", views.saya, name="saya"),
    path("persetujuan/", views.inbox, name="inbox"),
    path("persetujuan/setujui/", views.inbox_setujui, name="inbox-setujui"),
    path("persetujuan/jumlah/", views.inbox_jumlah, name="inbox-jumlah"),
    path("pohon/", views.pohon, name="pohon"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pendekatan/", views.pendekatan, name="pendekatan"),
    path("<int:pk>/salin/", views.salin, name="salin"),
    path("<int:pk>/lampiran/", views.lampiran, name="lampiran"),
    path("<int:pk>/ekspektasi/", views.ekspektasi, name="ekspektasi"),
    path("<int:pk>/ajukan/", views.ajukan, name="ajukan"),
    path("<int:pk>/setujui/", views.setujui, name="setujui"),
    path("<int:pk>/kembalikan/", views.kembalikan, name="kembalikan"),
    path("<int:pk>/revisi/", views.revisi, name="revisi"),
    path("<int:pk>/rhk/tambah/", views.rhk_tambah, name="rhk-tambah"),
    path("rhk/<int:pk>/", views.rhk_baris, name="rhk-baris"),
    path("rhk/<int:pk>/ubah/", views.rhk_ubah, name="rhk-ubah"),
    path("rhk/<int:pk>/hapus/", views.rhk_hapus, name="rhk-hapus"),
    path("<int:pk>/matriks/", views.matriks, name="matriks"),
    path("<int:pk>/matriks/usul/<int:bawahan_pk>/<int:kolom_pk>/", views.matriks_usul, name="matriks-usul"),
]
