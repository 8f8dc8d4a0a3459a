"""Exact arithmetic helpers: Decimal in, cents out, JSON numbers at the edge.

Money is computed in Decimal and rounded half-up to the cent once per line item, so every total
is the exact sum of the figures a reader sees; floats appear only in `to_dict()` output.
"""

from decimal import ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
MILLION = Decimal(1_000_000)
# Independent of the caller's thread-local context, so results are deterministic.
CONTEXT = Context(prec=34)


def to_decimal(value: object) -> Decimal:
    """Decimal of a JSON number (int, float, str or Decimal); a float by its shortest repr."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return Decimal(value)
    raise TypeError(f"not a number: {value!r}")


def cents(value: Decimal) -> Decimal:
    """Round half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def json_number(value: Decimal | int) -> int | float:
    """A JSON-ready number: int when whole, else float (already rounded by the caller)."""
    if isinstance(value, int):
        return value
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(value)
    return number


def json_money(value: Decimal) -> float:
    """Money for output: rounded to the cent, as a JSON number (a float: its shortest repr
    shows at most the two decimals of the cents)."""
    return float(cents(value))
