"""Exact money: yuan as ``Decimal`` with two places, fen as ``int`` in storage.

Every amount the pilot pays is capped by 不超过 wording, so rounding is always down (toward zero) to the fen:
rounding can never lift a subsidy above its rate or cap.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_DOWN, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
WAN = Decimal(10_000)
MAX_LEDGER_FEN = 2**63 - 1  # the ledger keeps amounts as signed 64-bit fen
BUDGET_HINT = "以元为单位，如 3000000 或 300万"
_BUDGET_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<wan>万)?元?$")


def yuan(value: str | int | Decimal) -> Decimal:
    """Turn an exact literal into yuan with two places; refuses floats so no binary fraction sneaks in."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not data
        raise TypeError("money must never be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_DOWN)


def round_down(amount: Decimal) -> Decimal:
    """Round down to the fen (R3.3, R5.1, R8.7)."""
    return amount.quantize(FEN, rounding=ROUND_DOWN)


def to_fen(amount: Decimal) -> int:
    """Yuan → integer fen for the ledger; the amount must already be whole fen."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Integer fen from the ledger → yuan."""
    return (Decimal(fen) / 100).quantize(FEN)


def format_yuan(amount: Decimal) -> str:
    """``1234567.8`` → ``1,234,567.80``: how amounts read in 核定说明 and messages."""
    return f"{amount.quantize(FEN):,.2f}"


def format_fen(fen: int) -> str:
    """``format_yuan(from_fen(fen))`` straight from integer fen, without a Decimal: 123456780 → ``1,234,567.80``."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def fen_text(fen: int) -> str:
    """Integer fen as plain yuan with two places, as the ledger's exact texts and the checksum write them:
    123456780 → ``1234567.80``."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def format_wan(amount: Decimal) -> str:
    """Yuan → 万元 for prose, without trailing zeros: 3,000,000 → ``300``; 3,000,000.01 → ``300.000001``."""
    wan = (amount / WAN).normalize()
    text = f"{wan:f}"
    return text


def format_rate(rate: Decimal) -> str:
    """``0.70`` → ``70%``."""
    pct = (rate * 100).normalize()
    return f"{pct:f}%"


def parse_budget(text: str) -> Decimal:
    """``read_budget``, and small enough for the ledger to keep."""
    amount = read_budget(text)
    if amount * 100 > MAX_LEDGER_FEN:
        raise ValueError(f"金额“{text}”超出台账可记录的范围（至多{format_yuan(from_fen(MAX_LEDGER_FEN))}元）")
    return amount


def read_budget(text: str) -> Decimal:
    """A budget as people write it: ``3000000``, ``3,000,000.00``, ``¥3000000``, ``300万``, ``300万元``.

    Exact: at most two places of yuan (a 万 amount may carry up to six), never negative. Raises ``ValueError``
    saying how to write one.
    """
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = re.sub(r"[,\s]", "", cleaned).removeprefix("¥").removeprefix("￥").removeprefix("人民币")
    match = _BUDGET_RE.match(cleaned)
    if match is None:
        raise ValueError(f"无法识别的金额“{text}”，请{BUDGET_HINT}")
    amount = Decimal(match["number"]) * (WAN if match["wan"] else 1)
    try:
        in_fen = amount.quantize(FEN)
    except InvalidOperation as exc:  # more digits than a Decimal carries: no budget is that large
        raise ValueError(f"金额“{text}”超出可记录的范围，请{BUDGET_HINT}") from exc
    if amount != in_fen:
        raise ValueError(f"金额“{text}”精确到分（最多两位小数），请{BUDGET_HINT}")
    return in_fen


def format_fen_wan(fen: int) -> str:
    """Integer fen → 万元 as ``format_wan`` writes it: 300,000,000 fen → ``300``; 300,000,001 → ``300.000001``."""
    whole, rest = divmod(abs(fen), 1_000_000)  # a 万元 is a million fen
    fraction = f"{rest:06d}".rstrip("0")
    return f"{'-' if fen < 0 and (whole or rest) else ''}{whole}{'.' + fraction if fraction else ''}"


def decimal_ratio(value: Decimal) -> tuple[int, int]:
    """An exact decimal as an integer over a power of ten: ``0.70`` → ``(70, 2)``, i.e. 70 / 10**2.

    Rates multiply integer fen exactly this way: ``fen * numerator // 10**places`` rounds down to the fen.
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    numerator = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exponent >= 0:
        return numerator * 10**exponent, 0
    return numerator, -exponent


def format_scaled(numerator: int, places: int) -> str:
    """``numerator / 10**places`` written exactly, thousands separated, trailing zeros dropped: what
    ``f"{Decimal(...).normalize():,f}"`` writes: ``(60000003, 3)`` → ``60,000.003``."""
    whole, rest = divmod(abs(numerator), 10**places)
    fraction = f"{rest:0{places}d}".rstrip("0") if places else ""
    sign = "-" if numerator < 0 else ""
    return f"{sign}{whole:,}{'.' + fraction if fraction else ''}"
