"""NIP / NI PPPK rules of issue #17 (domain.md §10 "NIP PNS" and "NI PPPK"; Product decisions "NI PPPK")."""

from typing import Any

import pytest
import time_machine
from django.template import Context, Template

from kinerja.validators import format_nip, nip_errors

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen() -> Any:
    with time_machine.travel("2026-12-07 10:00 +0700", tick=False):
        yield


# ---------------------------------------------------------------- domain.md §10 NIP PNS: TMT CPNS >= birth + 18 years


@pytest.mark.parametrize(
    ("nip", "ok"),
    [
        ("199005152008051001", True),  # born 05/1990, TMT 05/2008: exactly 18 years (by month)
        ("199005152008041001", False),  # TMT 04/2008: one month short of 18 years
        ("199005152007121001", False),  # TMT 12/2007: 17 years
        ("199005152009011001", True),  # TMT 01/2009
        ("198601012004011001", True),  # born 01/1986, TMT 01/2004: 18 years to the month
    ],
)
def test_domain_s10_nip_pns_tmt_cpns_at_least_18_years_after_birth(nip: str, ok: bool) -> None:
    """domain.md §10 "NIP PNS ... YYYYMM TMT CPNS (9-14)"; issue #17 "TMT CPNS at least 18 years after birth"."""
    errors = nip_errors(nip, "pns")
    assert (errors == []) is ok, errors
    if not ok:
        assert any("TMT CPNS" in e and "18" in e for e in errors)


def test_domain_s10_nip_cpns_same_rule_as_pns() -> None:
    assert nip_errors("199005152008041001", "cpns") != []
    assert nip_errors("199005152008051001", "cpns") == []


# ---------------------------------------------------------------- domain.md §10 NI PPPK: appointment year >= birth year + 18


@pytest.mark.parametrize(
    ("nip", "ok"),
    [
        ("200001012018212001", True),  # born 2000, appointed 2018: birth year + 18
        ("200001012017212001", False),  # appointed 2017: birth year + 17
        ("199001012023212001", True),
        ("199001012023992001", True),  # digits 13-14 are a count, not a month: 99 is fine
        ("199001012023002001", True),  # ... and 00 too
    ],
)
def test_domain_s10_ni_pppk_appointment_year_at_least_birth_year_plus_18(nip: str, ok: bool) -> None:
    """domain.md §10 "NI PPPK: birth date (8) + year of first appointment (4) + 2 digits"; issue #17."""
    errors = nip_errors(nip, "pppk")
    assert (errors == []) is ok, errors
    if not ok:
        assert any("PPPK" in e and "2018" in e for e in errors)


# ---------------------------------------------------------------- display: NI PPPK is not grouped like a NIP


def test_domain_s10_format_nip_pns_groups_tmt_year_month() -> None:
    """domain.md §10 "Display as 19860926 201505 1 001"."""
    assert format_nip("198609262015051001") == "19860926 201505 1 001"
    assert format_nip("198609262015051001", "pns") == "19860926 201505 1 001"
    assert format_nip("198609262015051001", "cpns") == "19860926 201505 1 001"


def test_domain_s10_format_ni_pppk_does_not_show_a_tmt_year_month() -> None:
    """Product decision "NI PPPK: do not parse digits 13-14 as a month": "202321" is never one group."""
    shown = format_nip("199001012023212001", "pppk")
    assert shown == "19900101 2023 21 2 001"
    assert "202321" not in shown


def test_format_nip_leaves_other_lengths_alone() -> None:
    assert format_nip("123456789", "pppk") == "123456789"


class _P:
    def __init__(self, nip: str, status: str) -> None:
        self.nip, self.status = nip, status


@pytest.mark.parametrize(
    ("src", "ctx", "expected"),
    [
        ("{{ p|nip }}", {"p": _P("199001012023212001", "pppk")}, "19900101 2023 21 2 001"),
        ("{{ p|nip }}", {"p": _P("198609262015051001", "pns")}, "19860926 201505 1 001"),
        ("{{ n|nip:'pppk' }}", {"n": "199001012023212001"}, "19900101 2023 21 2 001"),
        ("{{ n|nip }}", {"n": "198609262015051001"}, "19860926 201505 1 001"),
        ("{{ n|nip }}", {"n": ""}, ""),
    ],
)
def test_nip_template_filter_is_status_aware(src: str, ctx: dict[str, Any], expected: str) -> None:
    out = Template("{% load kinerja_tags %}" + src).render(Context(ctx))
    assert out == expected
