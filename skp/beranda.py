"""The SKP part of the home page: the pegawai's SKP status and next step, the Pejabat Penilai's
count of SKPs waiting for approval (kinerja.beranda registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kinerja.beranda import BerandaInput, Hitungan, Langkah, register_beranda
from skp.models import SkpStatus
from skp.selectors import skp_aktif_pegawai, skp_inbox_count


@register_beranda(urutan=10, kode="skp")
def beranda_skp(inp: BerandaInput, ctx: dict[str, Any]) -> None:
    """``skp_aktif`` (read by later providers), the SKP step, and the inbox count."""
    tahun = inp.today.year
    ctx["skp_tahun"] = tahun
    ctx["skp_aktif"] = None
    if inp.is_pegawai and inp.pegawai is not None:
        skp = skp_aktif_pegawai(pegawai=inp.pegawai, tahun=tahun, today=inp.today)
        ctx["skp_aktif"] = skp
        if skp is None:
            ctx["langkah"].append(
                Langkah(
                    prioritas=10,
                    kode="skp-susun",
                    judul=_("Susun SKP %(tahun)s") % {"tahun": tahun},
                    teks=_(
                        "Anda belum punya SKP untuk tahun ini. Buat draf baru (atau salin SKP tahun lalu), "
                        "isi rencana hasil kerja, lalu ajukan ke Pejabat Penilai."
                    ),
                    url=reverse("skp:saya"),
                    tombol=_("Susun SKP"),
                    ikon="file-earmark-plus",
                )
            )
        elif skp.status == SkpStatus.DIKEMBALIKAN:
            ctx["langkah"].append(
                Langkah(
                    prioritas=10,
                    kode="skp-perbaiki",
                    judul=_("Perbaiki SKP yang dikembalikan"),
                    teks=_(
                        "Pejabat Penilai mengembalikan SKP Anda dengan catatan berikut. Perbaiki, lalu ajukan lagi."
                    ),
                    url=reverse("skp:detail", args=[skp.pk]),
                    tombol=_("Perbaiki SKP"),
                    ikon="arrow-counterclockwise",
                    kutipan=skp.catatan_pengembalian,
                )
            )
        elif skp.status == SkpStatus.DRAFT:
            ctx["langkah"].append(
                Langkah(
                    prioritas=20,
                    kode="skp-ajukan",
                    judul=_("Lengkapi dan ajukan draf SKP"),
                    teks=_(
                        "Draf SKP Anda belum diajukan. Lengkapi rencana hasil kerja dan indikatornya, lalu ajukan ke Pejabat Penilai."
                    ),
                    url=reverse("skp:detail", args=[skp.pk]),
                    tombol=_("Buka draf SKP"),
                    ikon="pencil-square",
                )
            )
    if inp.is_penilai:
        ctx["penilai_hitungan"].append(
            Hitungan(
                kode="skp-persetujuan",
                label=_("SKP menunggu persetujuan"),
                jumlah=skp_inbox_count(user=inp.user, instansi=inp.instansi),
                url=reverse("skp:inbox"),
                ikon="inbox",
                kosong=_("Tidak ada SKP yang menunggu persetujuan Anda."),
                urutan=10,
            )
        )
