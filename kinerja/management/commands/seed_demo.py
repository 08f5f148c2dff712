"""``manage.py seed_demo``: load the demo instansi of ``kinerja.demo`` through the services.

Idempotent: units, jabatan and pegawai are looked up first and created only when missing, roles
and periods are granted/ensured idempotently, so a second run changes nothing.

Creating the demo instansi, the platform admin account and the shared password hash are platform
steps and run as the connecting (owner) role; everything inside one demo instansi (units, jabatan,
pegawai, roles, periods, and the activity) runs inside ``command_tenant``
(``kinerja/management/tenant.py``): the scope and the database role ``kinerja_app`` with RLS set to
that instansi.

After the people, each instansi gets a year and a bit of activity (``evaluasi.demo_aktivitas``: SKPs in
every state, realisasi with evidence, feedback threads, periodic ratings, last year finalised), also
idempotent: only pegawai without an SKP get it. ``--tanpa-aktivitas`` skips it (people only).
"""

import datetime as dt
import time
from importlib import import_module
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kinerja import demo
from kinerja.exceptions import ApplicationError
from kinerja.identity import account_set_password
from kinerja.management.tenant import command_tenant
from kinerja.models import Instansi, Jabatan, Pegawai, PejabatNonAsn, Role, UnitKerja, User
from kinerja.services.org import jabatan_get_or_create, unit_kerja_create
from kinerja.services.people import pegawai_create
from kinerja.services.tenancy import instansi_get_or_create, periode_ensure_year, role_grant


class Command(BaseCommand):
    help = (
        "Memuat data demo (Kabupaten Sukamaju dan Badan Kepegawaian Contoh). Aman dijalankan berulang kali."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--tanpa-aktivitas",
            action="store_true",
            help="Hanya instansi, unit, jabatan, pegawai dan peran; tanpa SKP, realisasi, umpan balik dan evaluasi.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tahun = timezone.localdate().year
        new_users: list[int] = []
        non_asn_baru: list[User] = []
        aktivitas = not options.get("tanpa_aktivitas")
        mulai = time.monotonic()
        try:
            with transaction.atomic():
                for definition in demo.INSTANSI:
                    instansi, _ = instansi_get_or_create(
                        kode=definition.kode,
                        nama=definition.nama,
                        jenis=definition.jenis,
                        tempat=definition.tempat,
                        siklus=definition.siklus,
                    )
                    with command_tenant(instansi):
                        self._seed_instansi(definition, instansi, tahun, new_users)
                        if aktivitas:
                            self._seed_aktivitas(definition, instansi)
                            self._seed_tim(definition, instansi, tahun)
                        non_asn_baru += self._seed_non_asn(definition, instansi)
                        if aktivitas:
                            self._seed_umpan_balik_non_asn(definition, instansi)
                for user in non_asn_baru:
                    # as the owner, through the one password path (kinerja.identity)
                    account_set_password(user, demo.DEMO_PASSWORD)
                self._seed_platform_admin(new_users)
                if new_users:
                    # One hash for every new demo account: hashing ~75 passwords one by one with the
                    # production hasher would take most of a minute on every fresh `make run`.
                    User.objects.filter(pk__in=new_users).update(password=make_password(demo.DEMO_PASSWORD))
        except ApplicationError as exc:
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
            raise CommandError(f"Data demo gagal dimuat: {exc.message} {detail}".strip()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Data demo siap ({len(new_users)} akun baru, {time.monotonic() - mulai:.1f} detik). "
                f"Kata sandi semua akun demo: {demo.DEMO_PASSWORD}"
            )
        )

    def _seed_non_asn(self, d: demo.InstansiDef, instansi: Instansi) -> list[User]:
        """The instansi's Pejabat Penilai non-ASN (``demo.NON_ASN``), made or left as they are (idempotent:
        an existing one is not touched). Returns the new logins (their password is set by the caller).
        The service lives in the top app (evaluasi): imported here, not at module level."""
        tetapkan = import_module("evaluasi.services_non_asn").pejabat_non_asn_tetapkan
        baru: list[User] = []
        for na in demo.NON_ASN:
            if (
                na.instansi != d.kode
                or PejabatNonAsn.objects.filter(instansi=instansi, user__nip=na.username).exists()
            ):
                continue
            hasil = tetapkan(
                actor=None,
                instansi=instansi,
                username=na.username,
                nama=na.nama,
                jabatan=na.jabatan,
                menilai=[d.by_key(k).nip for k in na.menilai],
            )
            baru.append(User.objects.get(pk=hasil.pejabat.user_id))
            self.stdout.write(
                f"{instansi.kode}: Pejabat Penilai non-ASN {na.jabatan} ({na.username}) dibuat."
            )
        return baru

    def _seed_umpan_balik_non_asn(self, d: demo.InstansiDef, instansi: Instansi) -> None:
        """One feedback item from each non-ASN official to each pegawai it rates (issue #16), on the
        pegawai's current SKP for the period covering today, through the feedback service (notification,
        timeline, audit). Idempotent: nothing when the official already gave that pegawai feedback."""
        # dialog and skp sit above kinerja: imported by name here, as the other seeders are
        skp_models = import_module("skp.models")
        Skp, SkpStatus = skp_models.Skp, skp_models.SkpStatus
        UmpanBalik = import_module("dialog.models").UmpanBalik
        dialog_selectors = import_module("dialog.selectors")
        umpan_balik_give = import_module("dialog.services").umpan_balik_give

        for na in demo.NON_ASN:
            if na.instansi != d.kode or not na.umpan_balik:
                continue
            official = (
                PejabatNonAsn.objects.filter(instansi=instansi, user__nip=na.username)
                .select_related("user")
                .first()
            )
            if official is None:
                continue
            for key in na.menilai:
                pegawai = Pegawai.objects.get(instansi=instansi, nip=d.by_key(key).nip)
                if UmpanBalik.objects.filter(
                    instansi=instansi, penerima=pegawai, pemberi_non_asn=official
                ).exists():
                    continue
                skp = (
                    Skp.objects.filter(instansi=instansi, pegawai=pegawai)
                    .exclude(status=SkpStatus.DIGANTI)
                    .select_related("pegawai")
                    .order_by("-tahun", "-periode_mulai", "-id")
                    .first()
                )
                periode = (
                    dialog_selectors.periode_default(list(dialog_selectors.periode_for_skp(skp=skp)))
                    if skp is not None
                    else None
                )
                if skp is None or periode is None:
                    continue
                umpan_balik_give(actor=official.user, skp=skp, periode_id=periode.pk, isi=na.umpan_balik)
                self.stdout.write(f"{instansi.kode}: umpan balik {na.jabatan} untuk {pegawai.nama}.")

    def _seed_aktivitas(self, d: demo.InstansiDef, instansi: Instansi) -> None:
        """SKPs, realisasi, feedback and ratings for the pegawai that have none (see module docstring).
        The seeder lives in the top app (evaluasi), so kinerja imports nothing above it at module level."""
        t0 = time.monotonic()
        seed = import_module("evaluasi.demo_aktivitas").demo_aktivitas_seed
        by_nip = dict(Pegawai.objects.filter(instansi=instansi).values_list("nip", "pk"))
        urutan = [by_nip[p.nip] for p in d.pegawai if p.nip in by_nip]
        sorotan = {by_nip[p.nip] for p in d.pegawai if p.key in demo.sorotan_keys(d) and p.nip in by_nip}
        hitung = seed(instansi=instansi, pegawai_ids=urutan, sorotan_ids=sorotan)
        log = import_module("dialog.log_harian_demo").log_harian_demo_seed(
            instansi_id=instansi.pk, pegawai_ids=sorted(sorotan)
        )
        if log:
            hitung = {**hitung, "log_harian": log}
        # The Perjanjian Kinerja at the root (issue #16): idempotent, links the JPT results seeded above.
        for k, v in import_module("perjanjian.demo").demo_pk_seed(instansi=instansi).items():
            hitung[k] = hitung.get(k, 0) + v
        hitung = {k: v for k, v in hitung.items() if v}
        if hitung:
            ringkas = ", ".join(f"{k} {v}" for k, v in sorted(hitung.items()))
            self.stdout.write(f"{instansi.kode} aktivitas ({time.monotonic() - t0:.1f} detik): {ringkas}.")
        else:
            self.stdout.write(f"{instansi.kode} aktivitas: sudah ada, tidak ada yang ditambahkan.")

    def _seed_tim(self, d: demo.InstansiDef, instansi: Instansi, tahun: int) -> None:
        """The demo tim kerja of ``kinerja.demo.TIM`` and the anggota's results cascaded from the ketua
        (``skp.demo_tim``, imported late like the activity); idempotent."""
        seed = import_module("skp.demo_tim").demo_tim_seed
        for t in (t for t in demo.TIM if t.instansi == d.kode):
            n = seed(
                instansi=instansi,
                tahun=tahun,
                nama=t.nama,
                ketua_nip=d.by_key(t.ketua).nip,
                anggota=[(d.by_key(k).nip, teks) for k, teks in t.anggota],
                admin_nip=next(d.by_key(k).nip for k, role in d.grants if role == Role.ADMIN_INSTANSI),
            )
            self.stdout.write(f"{instansi.kode} tim kerja {t.nama}: {n} baris baru.")

    def _seed_instansi(
        self, d: demo.InstansiDef, instansi: Instansi, tahun: int, new_users: list[int]
    ) -> None:
        units: dict[str, UnitKerja] = {}
        for u in d.units:
            induk = units[u.induk] if u.induk else None
            unit = UnitKerja.objects.filter(instansi=instansi, induk=induk, nama=u.nama).first()
            if unit is None:
                unit = unit_kerja_create(
                    actor=None, instansi=instansi, nama=u.nama, induk=induk, mandiri=u.mandiri
                )
            units[u.key] = unit

        jabatan: dict[tuple[str, str, str], Jabatan] = {}
        for p in d.pegawai:
            jabatan_key = (p.jabatan, p.jenis, p.jenjang)
            if jabatan_key not in jabatan:
                jabatan[jabatan_key], _ = jabatan_get_or_create(
                    actor=None, instansi=instansi, nama=p.jabatan, jenis=p.jenis, jenjang=p.jenjang
                )

        existing = {
            x.nip: x for x in Pegawai.objects.filter(instansi=instansi, nip__in=[p.nip for p in d.pegawai])
        }
        pegawai: dict[str, Pegawai] = {}
        created = 0
        mulai = dt.date(tahun - 1, 1, 1)  # placements cover the whole current year
        for p in d.pegawai:
            row = existing.get(p.nip)
            if row is None:
                row = pegawai_create(
                    actor=None,
                    instansi=instansi,
                    nip=p.nip,
                    nama=p.nama,
                    status=p.status,
                    unit_kerja=units[p.unit],
                    jabatan=jabatan[(p.jabatan, p.jenis, p.jenjang)],
                    atasan=pegawai[p.atasan] if p.atasan else None,
                    pangkat_golongan=p.pangkat,
                    tugas_belajar=p.tugas_belajar,
                    mulai=mulai,
                )
                new_users.append(row.user_id)
                created += 1
            pegawai[p.key] = row

        for pegawai_key, role in d.grants:
            role_grant(actor=None, user=pegawai[pegawai_key].user, role=role, instansi=instansi)
        periode_ensure_year(instansi=instansi, tahun=tahun)
        self.stdout.write(
            f"{instansi.kode} {instansi.nama}: {len(pegawai)} pegawai ({created} baru), {len(units)} unit kerja, "
            f"periode {tahun}."
        )

    def _seed_platform_admin(self, new_users: list[int]) -> None:
        user = User.objects.filter(nip=demo.PLATFORM_ADMIN_NIP).first()
        if user is None:
            user = User.objects.create_user(
                nip=demo.PLATFORM_ADMIN_NIP, password=None, nama=demo.PLATFORM_ADMIN_NAMA
            )
            new_users.append(user.pk)
        role_grant(actor=None, user=user, role=Role.PLATFORM_ADMIN, instansi=None)
