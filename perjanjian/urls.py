from django.urls import path

from perjanjian import views

app_name = "perjanjian"
urlpatterns = [
    path("", views.daftar, name="daftar"),
    path("impor/", views.impor, name="impor"),
    path("versi/<int:pk>/", views.versi, name="versi"),
    path("unit/<int:unit_pk>/<int:tahun>/", views.unit, name="unit"),
    path("unit/<int:unit_pk>/<int:tahun>/ubah/", views.ubah, name="ubah"),
]
