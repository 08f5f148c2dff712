"""The dialog part of the home page: this period's realisasi and unread feedback as next steps for the
pegawai, and open feedback requests for everyone asked (kinerja.beranda registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dialog import selectors
from kinerja.beranda import BerandaInput, Hitungan, Langkah, register_beranda
from skp.models import SkpStatus


@register_beranda(urutan=20, kode="dialog")
def beranda_dialog(inp: BerandaInput, ctx: dict[str, Any]) -> None:
    """Reads ``skp_aktif`` and ``periode`` (set before it). At most five queries."""
    if inp.pegawai is None:
        if inp.is_penilai:  # a non-ASN Pejabat Penilai (issue #16): the requests addressed to it
            _hitungan_permintaan(inp, ctx)
        return
    skp = ctx.get("skp_aktif")
    periode = ctx.get("periode")
    if (
        inp.is_pegawai
        and skp is not None
        and periode is not None
        and skp.status == SkpStatus.DISETUJUI
        and skp.periode_mulai <= periode.selesai
        and skp.periode_selesai >= periode.mulai
    ):
        terisi, total = selectors.realisasi_kelengkapan(skp=skp, periode=periode)
        ctx["realisasi"] = {"terisi": terisi, "total": total}
        if terisi < total:
            ctx["langkah"].append(
                Langkah(
                    prioritas=30,
                    kode="realisasi",
                    judul=_("Isi realisasi %(periode)s") % {"periode": periode},
                    teks=ngettext(
                        "%(terisi)d dari %(total)d indikator sudah terisi. Catat apa yang sudah dicapai dan lampirkan buktinya.",
                        "%(terisi)d dari %(total)d indikator sudah terisi. Catat apa yang sudah dicapai dan lampirkan buktinya.",
                        total,
                    )
                    % {"terisi": terisi, "total": total},
                    url=f"{reverse('dialog:realisasi', args=[skp.pk])}?periode={periode.pk}",
                    tombol=_("Isi realisasi"),
                    ikon="journal-check",
                )
            )
    belum_dibaca = selectors.umpan_balik_belum_dibaca_count(user=inp.user, instansi=inp.instansi)
    if belum_dibaca:
        ctx["langkah"].append(
            Langkah(
                prioritas=40,
                kode="umpan-balik",
                judul=ngettext("Tanggapi %(n)d umpan balik", "Tanggapi %(n)d umpan balik", belum_dibaca)
                % {"n": belum_dibaca},
                teks=_(
                    "Ada umpan balik atau balasan yang belum Anda baca. Baca, lalu balas atau tandai sudah dibaca."
                ),
                url=reverse("dialog:beranda"),
                tombol=_("Buka umpan balik"),
                ikon="chat-left-text",
            )
        )
    if inp.is_penilai:
        _hitungan_permintaan(inp, ctx)
        return
    diminta = selectors.permintaan_masuk_count(user=inp.user, instansi=inp.instansi)
    if diminta:
        ctx["langkah"].append(
            Langkah(
                prioritas=45,
                kode="permintaan",
                judul=ngettext(
                    "Berikan %(n)d umpan balik yang diminta",
                    "Berikan %(n)d umpan balik yang diminta",
                    diminta,
                )
                % {"n": diminta},
                teks=_("Rekan kerja meminta umpan balik dari Anda."),
                url=reverse("dialog:beranda"),
                tombol=_("Lihat permintaan"),
                ikon="chat-square-dots",
            )
        )


def _hitungan_permintaan(inp: BerandaInput, ctx: dict[str, Any]) -> None:
    """The Pejabat Penilai's count of open feedback requests addressed to it (one query)."""
    ctx["penilai_hitungan"].append(
        Hitungan(
            kode="permintaan",
            label=_("Permintaan umpan balik"),
            jumlah=selectors.permintaan_masuk_count(user=inp.user, instansi=inp.instansi),
            url=reverse("dialog:beranda"),
            ikon="chat-square-dots",
            kosong=_("Tidak ada permintaan umpan balik yang terbuka."),
            urutan=30,
        )
    )
