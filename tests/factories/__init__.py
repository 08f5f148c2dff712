from .kinerja import (
    InstansiFactory,
    JabatanFactory,
    PegawaiFactory,
    UnitKerjaFactory,
    UserFactory,
    nip_for,
)

__all__ = [
    "InstansiFactory",
    "JabatanFactory",
    "PegawaiFactory",
    "UnitKerjaFactory",
    "UserFactory",
    "nip_for",
]
