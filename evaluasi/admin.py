"""Django admin for platform data: the versioned distribution rule sets (domain §7).

A published (active) version is never edited in place (instansi decisions reference it): its
``definisi`` is read-only; a change is a "Salin sebagai versi baru" draft, edited while inactive. Tenant-owned evaluation
data is managed through the app's pages, not the admin.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluasi.models import AturanDistribusi
from evaluasi.scoring import validasi_aturan


class AturanDistribusiForm(forms.ModelForm):
    class Meta:
        model = AturanDistribusi
        fields = ["kode", "versi", "nama", "sumber", "definisi", "bawaan", "aktif"]

    def clean_definisi(self) -> Any:
        definisi = self.cleaned_data["definisi"]
        errors = validasi_aturan(definisi if isinstance(definisi, dict) else {})
        if errors:
            raise forms.ValidationError(errors)
        return definisi


@admin.register(AturanDistribusi)
class AturanDistribusiAdmin(admin.ModelAdmin):
    form = AturanDistribusiForm
    list_display = ["kode", "versi", "nama", "bawaan", "aktif", "updated_at"]
    list_filter = ["kode", "bawaan", "aktif"]
    actions = ["salin_versi_baru"]

    def get_readonly_fields(self, request: HttpRequest, obj: AturanDistribusi | None = None) -> list[str]:
        if obj is None:
            return []
        return ["kode", "versi", "definisi"] if obj.aktif else ["kode", "versi"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_platform_admin", False)) and super().has_module_permission(
            request
        )

    @admin.action(description=gettext_lazy("Salin sebagai versi baru (untuk diubah)"))
    def salin_versi_baru(self, request: HttpRequest, queryset: QuerySet[AturanDistribusi]) -> None:
        for a in queryset:
            top = AturanDistribusi.objects.filter(kode=a.kode).aggregate(m=Max("versi"))["m"] or 0
            AturanDistribusi.objects.create(
                kode=a.kode,
                versi=top + 1,
                nama=a.nama,
                sumber=a.sumber,
                definisi=a.definisi,
                bawaan=False,
                aktif=False,
            )
        messages.success(request, _("Versi baru dibuat (nonaktif). Ubah lalu aktifkan."))
