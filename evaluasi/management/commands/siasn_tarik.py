"""``manage.py siasn_tarik --instansi KODE --nip NIP[,NIP...] [--terapkan]``: compare pegawai with SIASN.

Prints, per NIP, what differs between the app and ``pns/data-utama`` (nama, jabatan, unit kerja,
pangkat/golongan); ``--terapkan`` applies the differences shown (audited; a jabatan/unit name unknown in
the instansi is reported, not created). Exit code 1 when a NIP could not be read. Runs inside
``command_tenant`` (the instansi's scope and RLS).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluasi.siasn.client import SiasnAuthError, SiasnClient
from evaluasi.siasn.config import SiasnBelumDiatur, siasn_config_for
from evaluasi.siasn.tarik import LABEL, parse_nip, siasn_tarik_bandingkan, siasn_tarik_terapkan
from kinerja.management.tenant import command_tenant, instansi_option


class Command(BaseCommand):
    help = "Bandingkan (dan isi) data pegawai dari SIASN pns/data-utama."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", required=True)
        parser.add_argument("--nip", required=True, help="NIP, pisahkan dengan koma")
        parser.add_argument("--terapkan", action="store_true", help="Terapkan perbedaan ke data pegawai")

    def handle(self, *args: Any, **opts: Any) -> None:
        instansi = instansi_option(opts)
        try:
            nips = parse_nip(opts["nip"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            with command_tenant(instansi), SiasnClient(siasn_config_for(instansi.kode)) as client:
                rows = siasn_tarik_bandingkan(instansi=instansi, nips=nips, client=client)
                n, catatan = (
                    siasn_tarik_terapkan(actor=None, instansi=instansi, rows=rows)
                    if opts["terapkan"]
                    else (0, [])
                )
        except (SiasnBelumDiatur, SiasnAuthError) as exc:
            raise CommandError(str(exc)) from None
        gagal = 0
        for r in rows:
            if r.galat:
                gagal += 1
                self.stderr.write(f"GAGAL NIP {r.nip}: {r.galat}")
            elif not r.beda:
                self.stdout.write(f"{r.nip} {r.nama}: sama dengan SIASN")
            else:
                self.stdout.write(f"{r.nip} {r.nama}:")
                for f, (lama, baru) in r.beda.items():
                    self.stdout.write(f"  {LABEL[f]}: {lama!r} -> {baru!r}")
        for c in catatan:
            self.stderr.write(c)
        beda = sum(1 for r in rows if r.beda)
        if opts["terapkan"]:
            self.stdout.write(f"{n} pegawai diperbarui dari SIASN.")
        elif beda:
            self.stdout.write(f"{beda} pegawai berbeda; jalankan lagi dengan --terapkan untuk menerapkan.")
        if gagal:
            sys.exit(1)
