"""The evaluation part of the home page: ratings due this period for the Pejabat Penilai; completeness
per unit and readiness for the year-end batch for the admin (kinerja.beranda registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluasi.selectors import kesiapan_batch, nilai_jatuh_tempo, unit_tertinggal
from kinerja.beranda import BerandaInput, Hitungan, periode_sekarang, register_beranda
from kinerja.models import Role

#: Pegawai listed by name with a "Nilai" link on the home page; the count covers everyone.
NILAI_TAMPIL = 10
ADMIN_ROLES = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)


@register_beranda(urutan=30, kode="evaluasi")
def beranda_evaluasi(inp: BerandaInput, ctx: dict[str, Any]) -> None:
    periode = ctx.get("periode")
    if inp.is_penilai and periode is not None:
        qs = nilai_jatuh_tempo(user=inp.user, instansi=inp.instansi, periode=periode)
        daftar = list(qs[: NILAI_TAMPIL + 1])
        jumlah = len(daftar) if len(daftar) <= NILAI_TAMPIL else qs.count()
        ctx["nilai_daftar"] = daftar[:NILAI_TAMPIL]
        ctx["nilai_jumlah"] = jumlah
        ctx["penilai_hitungan"].append(
            Hitungan(
                kode="nilai",
                label=_("Penilaian %(periode)s belum diberikan") % {"periode": periode},
                jumlah=jumlah,
                url=f"{reverse('evaluasi:daftar')}?periode={periode.pk}",
                ikon="clipboard-check",
                kosong=_("Semua pegawai yang Anda nilai sudah dinilai untuk periode ini."),
                urutan=20,
            )
        )
    if inp.has(*ADMIN_ROLES):
        tahun = inp.today.year
        admin_periode = periode or periode_sekarang(instansi=inp.instansi, today=inp.today)
        ctx["admin_periode"] = admin_periode
        ctx["kesiapan"] = kesiapan_batch(instansi=inp.instansi, tahun=tahun)
        ctx["unit_tertinggal"] = unit_tertinggal(instansi=inp.instansi, tahun=tahun, periode=admin_periode)
        laporan = reverse("evaluasi:laporan")
        ctx["laporan_url"] = f"{laporan}?tahun={tahun}" + (
            f"&periode={admin_periode.pk}" if admin_periode else ""
        )
        ctx["tahunan_url"] = reverse("evaluasi:tahunan")
