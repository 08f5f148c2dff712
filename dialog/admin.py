"""Django admin: only the platform-level seed data (B.1.8 statements). Tenant data is managed in the app,
through services (audited), never by editing rows in the admin."""

from django.contrib import admin

from .models import PernyataanBimbingan


@admin.register(PernyataanBimbingan)
class PernyataanBimbinganAdmin(admin.ModelAdmin):
    list_display = ("urutan", "kode", "versi", "aktif", "teks")
    list_filter = ("aktif", "versi")
    ordering = ("urutan", "-versi")
