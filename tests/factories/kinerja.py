"""Factories for the core models. They write with scopes disabled (test set-up only)."""

import itertools
from typing import Any

import factory
from django_scopes import scopes_disabled

from kinerja.models import Instansi, Jabatan, Pegawai, Penempatan, UnitKerja, User
from kinerja.models.org import JenisJabatan

_seq = itertools.count(1)


def nip_for(n: int, *, gender: int = 1, status: str = "pns") -> str:
    """A valid 18-digit NIP: birth 1985-01-01 + TMT 2010-01 (or PPPK year 2022 + '21') + gender + sequence."""
    birth = f"1985{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}"
    middle = "202221" if status == "pppk" else "201001"
    return f"{birth}{middle}{gender}{n % 999 + 1:03d}"


class ScopedDjangoModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return model_class._base_manager.create(*args, **kwargs)


class InstansiFactory(ScopedDjangoModelFactory):
    class Meta:
        model = Instansi

    kode = factory.Sequence(lambda n: f"INS{n:03d}")
    nama = factory.Sequence(lambda n: f"Pemerintah Kabupaten Contoh {n}")
    tempat = "Contoh"


class UserFactory(ScopedDjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    nip = factory.LazyFunction(lambda: nip_for(next(_seq)))
    nama = factory.Faker("name", locale="id_ID")
    password = factory.django.Password("rahasia-123")


class UnitKerjaFactory(ScopedDjangoModelFactory):
    class Meta:
        model = UnitKerja
        skip_postgeneration_save = True

    instansi = factory.SubFactory(InstansiFactory)
    nama = factory.Sequence(lambda n: f"Bidang {n}")
    induk = None

    @factory.post_generation
    def set_path(obj: UnitKerja, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.path = f"{obj.induk.path if obj.induk else ''}{obj.pk}."
            obj.depth = obj.induk.depth + 1 if obj.induk else 0
            UnitKerja._base_manager.filter(pk=obj.pk).update(path=obj.path, depth=obj.depth)


class JabatanFactory(ScopedDjangoModelFactory):
    class Meta:
        model = Jabatan

    instansi = factory.SubFactory(InstansiFactory)
    nama = factory.Sequence(lambda n: f"Analis {n}")
    jenis = JenisJabatan.PELAKSANA
    jenjang = ""


class PegawaiFactory(ScopedDjangoModelFactory):
    class Meta:
        model = Pegawai
        skip_postgeneration_save = True

    instansi = factory.SubFactory(InstansiFactory)
    user = factory.SubFactory(UserFactory)
    nip = factory.SelfAttribute("user.nip")
    nama = factory.SelfAttribute("user.nama")
    status = "pns"
    pangkat_golongan = "Penata Muda / III/a"
    unit_kerja = factory.SubFactory(UnitKerjaFactory, instansi=factory.SelfAttribute("..instansi"))
    jabatan = factory.SubFactory(JabatanFactory, instansi=factory.SelfAttribute("..instansi"))
    atasan = None

    @factory.post_generation
    def penempatan(obj: Pegawai, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            import datetime as dt

            Penempatan._base_manager.create(
                instansi_id=obj.instansi_id,
                pegawai=obj,
                unit_kerja_id=obj.unit_kerja_id,
                jabatan_id=obj.jabatan_id,
                atasan_id=obj.atasan_id,
                mulai=dt.date(2020, 1, 1),
            )
