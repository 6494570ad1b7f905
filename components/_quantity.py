"""Kubernetes resource quantities ("250m", "1Gi", "1e3"), parsed as the API server does.

The grammar is apimachinery's ``resource.Quantity``::

    <quantity>        ::= <signedNumber><suffix>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>

The ``kubernetes`` client's ``parse_quantity`` is not used: it accepts spellings the
API server rejects ("1K", "1_000", "Infinity", non-ASCII digits), which would pass
validation and only fail at apply time, and importing it loads the whole client
(about 0.3 s on every run of a program). A few spellings the server tolerates are
refused here on purpose: a bare "." and surrounding spaces (the server trims them,
so state and cluster would never agree) and exponents beyond any real amount.
"""

from __future__ import annotations

import re
from decimal import Decimal

_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<binary>[KMGTPE])i|[eE](?P<exponent>[+-]?[0-9]+)|(?P<decimal>[numkMGTPE]?))"
)
_DECIMAL_EXPONENTS = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_POWERS = {prefix: 10 * (i + 1) for i, prefix in enumerate("KMGTPE")}


def parse_quantity(text: str) -> Decimal:
    """The exact value of a Kubernetes quantity; ``ValueError`` if it is not one.

    >>> parse_quantity("250m"), parse_quantity("1Ki"), parse_quantity("1e3")
    (Decimal('0.250'), Decimal('1024'), Decimal('1E+3'))
    """
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    number = Decimal(match["number"])
    if match["binary"] is not None:
        return number * (1 << _BINARY_POWERS[match["binary"]])
    exponent = match["exponent"]
    try:
        scale = int(exponent) if exponent is not None else _DECIMAL_EXPONENTS[match["decimal"]]
        return number.scaleb(scale)
    except ArithmeticError:  # an exponent far beyond any real resource amount
        raise ValueError(f"quantity out of range: {text!r}") from None
