"""``manage.py siasn_kirim --instansi KODE --tahun 2026 [--dry-run] [--jenis ...]`` (api-contract §6).

Sends the year's final annual evaluations not yet sent, or changed since, to SIASN (``skp22/save``);
``--jenis semua`` (or a comma list of ``skp22,periodik,angkakredit``) adds the periodic results and the
JF angka kredit. Exit code 0 when everything is sent (or unchanged), 1 otherwise; each failure goes to
stderr with the NIP and SIASN's message. ``--dry-run`` writes the payloads as JSON lines to stdout and
contacts nobody (``pnsDinilaiOrang`` is the stored SIASN id, or null when not looked up yet).
Runs inside ``command_tenant`` (the instansi's scope and RLS).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluasi.siasn.client import SiasnAuthError
from evaluasi.siasn.config import SiasnBelumDiatur
from evaluasi.siasn.kirim import SEMUA_JENIS, siasn_kirim
from kinerja.exceptions import ApplicationError
from kinerja.management.tenant import command_tenant, instansi_option


def parse_jenis(raw: str) -> tuple[str, ...]:
    if raw.strip().lower() == "semua":
        return tuple(SEMUA_JENIS)
    jenis = tuple(dict.fromkeys(x.strip().lower() for x in raw.split(",") if x.strip()))
    salah = [x for x in jenis if x not in SEMUA_JENIS]
    if not jenis or salah:
        raise CommandError(f"--jenis tidak dikenal: {raw!r} (pilih semua atau {', '.join(SEMUA_JENIS)}).")
    return jenis


class Command(BaseCommand):
    help = "Kirim hasil kinerja satu instansi dan tahun ke SIASN BKN (skp22/save)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", required=True)
        parser.add_argument("--tahun", type=int, required=True)
        parser.add_argument(
            "--dry-run", action="store_true", help="Tulis payload sebagai JSON lines; tidak mengirim"
        )
        parser.add_argument(
            "--jenis", default="skp22", help="skp22 (bawaan), periodik, angkakredit, atau semua"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        instansi = instansi_option(opts)
        tahun = opts["tahun"]
        if not 2000 <= tahun <= 2100:
            raise CommandError("--tahun harus antara 2000 dan 2100.")
        jenis = parse_jenis(opts["jenis"])
        try:
            with command_tenant(instansi):
                hasil = siasn_kirim(instansi=instansi, tahun=tahun, jenis=jenis, dry_run=opts["dry_run"])
        except (SiasnBelumDiatur, SiasnAuthError) as exc:
            raise CommandError(str(exc)) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if opts["dry_run"]:
            for payload in hasil.payloads:
                self.stdout.write(json.dumps(payload, ensure_ascii=False))
        for g in hasil.kegagalan:
            self.stderr.write(f"GAGAL NIP {g['nip']} ({g['jenis']}): {g['pesan']}")
        ringkas = (
            f"SIASN {instansi.kode} {tahun}: {hasil.terkirim} terkirim, {hasil.tidak_berubah} tidak berubah, "
            f"{hasil.gagal} gagal dari {hasil.total}"
            + (
                f" ({len(hasil.payloads)} akan dikirim; uji coba, tidak ada yang dikirim)"
                if opts["dry_run"]
                else ""
            )
        )
        # the dry run's stdout is JSON lines only
        (self.stderr if opts["dry_run"] else self.stdout).write(ringkas)
        if not hasil.sukses:
            sys.exit(1)
