"""``{% rekap_log_harian pegawai periode %}``: the monthly log recap per RHK as a small card, for the
realisasi page and the rating form (domain.md "Daily log": it informs the judgement, never computes it).
The month shown: the last month of ``periode`` that has begun (this month without a periode)."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from dialog.log_harian_selectors import log_harian_rekap, pengaturan_log_harian
from kinerja.tenancy import pegawai_of

register = template.Library()


@register.inclusion_tag("dialog/_log_harian_rekap.html", takes_context=True)
def rekap_log_harian(context: Any, pegawai: Any, periode: Any = None) -> dict[str, Any]:
    request = context.get("request")
    instansi = getattr(request, "instansi", None)
    if instansi is None or pegawai is None or not pengaturan_log_harian(instansi=instansi).aktif:
        return {"tampil": False}
    today = timezone.localdate()
    bulan = dt.date(today.year, today.month, 1)
    if periode is not None:
        akhir = min(periode.selesai, today) if periode.mulai <= today else periode.selesai
        bulan = dt.date(akhir.year, akhir.month, 1)
    rekap = log_harian_rekap(instansi=instansi, pegawai_id=pegawai.pk, tahun=bulan.year, bulan=bulan.month)
    sendiri = getattr(pegawai_of(getattr(request, "user", None)), "pk", None) == pegawai.pk
    return {"tampil": True, "rekap": rekap, "rekap_bulan": bulan, "sendiri": sendiri}
