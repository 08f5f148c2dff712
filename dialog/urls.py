from django.urls import URLPattern

app_name = "dialog"
urlpatterns: list[URLPattern] = []
