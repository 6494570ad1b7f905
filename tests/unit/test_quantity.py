"""Resource quantities are parsed as the Kubernetes API server parses them."""

from decimal import Decimal

import pytest
from moorage._quantity import parse_quantity

# Spellings the API server accepts, with their exact values.
ACCEPTED = {
    "0": Decimal(0),
    "250m": Decimal("0.25"),
    "1": Decimal(1),
    "1.5": Decimal("1.5"),
    "1.": Decimal(1),
    ".5": Decimal("0.5"),
    "+2": Decimal(2),
    "-1": Decimal(-1),
    "100n": Decimal("1e-7"),
    "5u": Decimal("5e-6"),
    "1k": Decimal(1000),
    "2M": Decimal(2_000_000),
    "1G": Decimal(10**9),
    "1T": Decimal(10**12),
    "1P": Decimal(10**15),
    "1E": Decimal(10**18),
    "1Ki": Decimal(1024),
    "512Mi": Decimal(512 * 2**20),
    "1.5Gi": Decimal(3 * 2**29),
    "1Ti": Decimal(2**40),
    "1Pi": Decimal(2**50),
    "1Ei": Decimal(2**60),
    "1e3": Decimal(1000),
    "1E3": Decimal(1000),
    "25e-2": Decimal("0.25"),
    "1e+2": Decimal(100),
}

# Spellings the API server rejects, several of which the kubernetes Python client's
# parse_quantity accepts ("1K", "1_000", "Infinity", Arabic-Indic digits).
REJECTED = [
    "",
    "1K",
    "1ki",
    "1kB",
    "1_000",
    "\u0661",
    "Infinity",
    "NaN",
    "1e",
    "1e1.5",
    "1Mi1",
    "0x10",
    "1\n",
]

# Spellings the API server lets through that validation refuses on purpose: a bare
# "." (zero), surrounding spaces (trimmed by the server's JSON decoding, so state and
# cluster would differ forever) and exponents no resource can need (the server
# spends its whole request timeout on "1e99999999").
STRICTER_THAN_SERVER = [".", " 1", "1 ", "1e99999999"]


@pytest.mark.parametrize(("text", "value"), ACCEPTED.items())
def test_accepts_every_api_server_spelling_with_its_exact_value(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", [*REJECTED, *STRICTER_THAN_SERVER])
def test_rejects_what_the_api_server_rejects_and_a_few_odd_spellings(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_uppercase_k_is_rejected_though_the_python_client_accepts_it() -> None:
    from kubernetes.utils.quantity import parse_quantity as client_parse

    assert client_parse("1K") == 1000  # the looser parser this module replaces
    with pytest.raises(ValueError):
        parse_quantity("1K")
