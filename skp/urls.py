from django.urls import URLPattern

app_name = "skp"
urlpatterns: list[URLPattern] = []
