from django.urls import URLPattern

app_name = "evaluasi"
urlpatterns: list[URLPattern] = []
