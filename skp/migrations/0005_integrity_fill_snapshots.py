"""Freeze what already-approved SKPs show (issue #14): the leader's result text of each row, the
instansi block and the BerAKHLAK texts, plus the identity snapshots where an older approval lacks them.

Approved (``disetujui``) and superseded (``diganti``) SKPs get the values as they are now: the best
record there is of what was signed, and from now on they no longer follow later edits. Set-based (one
UPDATE for the results, one per SKP for the JSON blocks); re-running skips what is already filled."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django_scopes import scopes_disabled

BEKU = ("disetujui", "diganti")


def _identitas(p):
    from kinerja.validators import format_nip

    if p is None:
        return None
    return {
        "nama": p.nama,
        "nip": format_nip(p.nip),
        "pangkat_golongan": p.pangkat_golongan,
        "jabatan": p.jabatan.nama,
        "jenis_jabatan": p.jabatan.jenis,
        "unit_kerja": p.unit_kerja.nama,
    }


def _perilaku(CoreValue):
    seen = {}
    for cv in CoreValue.objects.filter(aktif=True).order_by("urutan", "-versi"):
        seen.setdefault(cv.kode, cv)
    return [
        {"kode": cv.kode, "nama": cv.nama, "tagline": cv.tagline, "panduan": list(cv.panduan), "versi": cv.versi}
        for cv in sorted(seen.values(), key=lambda c: c.urutan)
    ]


def fill(apps, schema_editor):
    Skp = apps.get_model("skp", "Skp")
    Rhk = apps.get_model("skp", "Rhk")
    CoreValue = apps.get_model("skp", "CoreValue")
    with scopes_disabled():
        Rhk._base_manager.filter(skp__status__in=BEKU, rhk_pimpinan_teks__isnull=True).update(
            rhk_pimpinan_teks=Coalesce(
                Subquery(
                    Rhk._base_manager.filter(pk=OuterRef("rhk_pimpinan_id")).values("rencana_hasil_kerja")[:1]
                ),
                Value(""),
            )
        )
        perilaku = _perilaku(CoreValue)
        todo = (
            Skp._base_manager.filter(status__in=BEKU)
            .filter(snapshot_instansi__isnull=True)
            .select_related(
                "instansi",
                "pegawai__jabatan",
                "pegawai__unit_kerja",
                "pejabat_penilai__jabatan",
                "pejabat_penilai__unit_kerja",
            )
        )
        for skp in todo.iterator(chunk_size=500):
            i = skp.instansi
            skp.snapshot_instansi = {"nama": i.nama, "kode": i.kode, "tempat": i.tempat}
            skp.snapshot_perilaku = perilaku
            fields = ["snapshot_instansi", "snapshot_perilaku"]
            if skp.snapshot_pegawai is None:
                skp.snapshot_pegawai = _identitas(skp.pegawai)
                skp.snapshot_penilai = _identitas(skp.pejabat_penilai)
                fields += ["snapshot_pegawai", "snapshot_penilai"]
            skp.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("skp", "0004_integrity_snapshots"),
        ("kinerja", "0005_row_level_security"),
    ]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
