from django.urls import path

from perjanjian import api

urlpatterns = [
    path("perjanjian-kinerja/", api.PerjanjianListCreateApi.as_view(), name="api-pk-list"),
    path("perjanjian-kinerja/impor/", api.PerjanjianImporApi.as_view(), name="api-pk-impor"),
    path("perjanjian-kinerja/<int:pk>/", api.PerjanjianDetailApi.as_view(), name="api-pk-detail"),
]
