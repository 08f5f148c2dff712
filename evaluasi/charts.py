"""Geometry for the server-side SVG distribution chart (presentation only: no queries, no rules).

The x-axis runs Sangat Kurang → Sangat Baik like the "POLA DISTRIBUSI" curve of the evaluation
document (domain §7.1). Each column shows the guideline band (min..max %) behind the actual bar.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format

from evaluasi.scoring import PREDIKAT_ORDER, Predikat

LEBAR, TINGGI = 420, 250
KIRI, KANAN, ATAS, BAWAH = 40, 8, 18, 50
SINGKAT = {
    "sangat_kurang": "SK",
    "kurang_misconduct": "K/M",
    "butuh_perbaikan": "BP",
    "baik": "B",
    "sangat_baik": "SB",
}


def grafik_distribusi(
    *, persen: dict[str, float], jumlah: dict[str, int], pita: dict[str, tuple[float, float]]
) -> dict[str, Any]:
    """Bars, bands and gridlines in SVG user units (the SVG scales with its container). Coordinates must
    be rendered unlocalised (``{% localize off %}``: Indonesian uses a decimal comma); ``persen_label``
    is the localised text."""
    order = list(reversed(PREDIKAT_ORDER))
    plot_w, plot_h = LEBAR - KIRI - KANAN, TINGGI - ATAS - BAWAH
    col = plot_w / len(order)
    labels = dict(Predikat.choices)

    def y(pct: float) -> float:
        return round(ATAS + plot_h * (1 - pct / 100.0), 1)

    kolom = []
    for i, p in enumerate(order):
        x0 = KIRI + i * col
        lo, hi = pita.get(p, (0.0, 100.0))
        pct = float(persen.get(p, 0.0))
        di_luar = pct < lo or pct > hi
        bar_w = col * 0.46
        kolom.append(
            {
                "predikat": p,
                "label": str(labels[p]),
                "singkat": SINGKAT[p],
                "x_tengah": round(x0 + col / 2, 1),
                "pita_x": round(x0 + col * 0.12, 1),
                "pita_w": round(col * 0.76, 1),
                "pita_y": y(hi),
                "pita_h": round(y(lo) - y(hi), 1),
                "pita_terbatas": (lo, hi) != (0.0, 100.0),
                "pita_lo": lo,
                "pita_hi": hi,
                "bar_x": round(x0 + (col - bar_w) / 2, 1),
                "bar_w": round(bar_w, 1),
                "bar_y": y(pct),
                "bar_h": round(y(0) - y(pct), 1),
                "persen": pct,
                "persen_label": number_format(pct, decimal_pos=1 if pct % 1 else 0),
                "jumlah": int(jumlah.get(p, 0)),
                "di_luar": di_luar,
                "label_y": round(max(y(pct) - 6, ATAS + 10), 1),
            }
        )
    grid = [{"pct": g, "y": y(g)} for g in (0, 25, 50, 75, 100)]
    return {
        "lebar": LEBAR,
        "tinggi": TINGGI,
        "kiri": KIRI,
        "kanan_x": LEBAR - KANAN,
        "dasar_y": y(0),
        "sumbu_label_y": TINGGI - BAWAH + 18,
        "sumbu_jumlah_y": TINGGI - BAWAH + 34,
        "kolom": kolom,
        "grid": grid,
    }
