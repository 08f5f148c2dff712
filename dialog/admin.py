"""Django admin: only the platform-level seed data (B.1.8 statements, B.1.9 competences). Tenant data is managed in the app,
through services (audited), never by editing rows in the admin."""

from django.contrib import admin

from .models import KompetensiB19, PernyataanBimbingan


@admin.register(PernyataanBimbingan)
class PernyataanBimbinganAdmin(admin.ModelAdmin):
    list_display = ("urutan", "kode", "versi", "aktif", "teks")
    list_filter = ("aktif", "versi")
    ordering = ("urutan", "-versi")


@admin.register(KompetensiB19)
class KompetensiB19Admin(admin.ModelAdmin):
    list_display = ("urutan", "kode", "kelompok", "versi", "aktif", "nama")
    list_filter = ("aktif", "versi", "kelompok")
    ordering = ("urutan", "-versi")
