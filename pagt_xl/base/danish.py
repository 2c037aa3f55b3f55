"""Danish parsing and formatting: amounts, dates, periods, names. Pure functions.

Money is exact: amounts are whole kroner (``int``), computed with
:class:`decimal.Decimal` and rounded half-up; floats are never summed.

Amounts are parsed or refused, never guessed (:func:`parse_amount`). The rules:

* The unit is the column's (from its header: kr., t.kr., mio. kr.) unless the
  text states its own: "1,3 mio. kr." and "300 t.kr." are millions and
  thousands in any column, and a bare "kr."/"DKK" makes the text kroner.
* A dot followed by groups of three digits is the Danish thousands separator
  ("404.567 kr.", "1.125.000"); a comma is the decimal comma ("1,3 mio. kr.",
  "4,95" in a mio. kr. column, "1.234,56"). Several comma groups, or commas
  before a decimal point, are English grouping and read as such ("1,000,000").
* A single comma followed by exactly three digits ("100,000", "250,000 kr.")
  is ambiguous — 100 kr. with a decimal comma, or 100.000 kr. with an English
  thousands separator — and raises :class:`AmbiguousAmount` naming both
  readings. Only a mio. kr. unit settles it: "1,250 mio. kr." is 1.250.000 kr.
  (English grouping would mean 1,25 milliard kr.). Likewise "1.250 mio." is
  ambiguous (1.250 mio. kr. in Danish, 1,25 mio. kr. in English).
* In kroner, a number with a fraction below 1.000 ("2,5", "0,1", an Excel
  float 0.1) is not rounded: it raises :class:`AmbiguousAmount` (2,5 kr. or,
  as most likely meant, 2,5 mio. kr.). From 1.000 kr. up a fraction is øre and
  is rounded half-up to whole kroner ("1.234,56" → 1.235; at most 50 øre).
* Whole-number floats are taken as they are; other Excel floats go through
  :class:`~decimal.Decimal` (``repr``) and are scaled by the unit exactly.

Whether a value is *plausible* (bounds, a column of the wrong magnitude) is the
reader's and the rules' business (pact ``[amounts]``), not this module's.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from pagt_xl.base import figures
from pagt_xl.base.errors import ConfigError, ErrorCode, RequestError


class DanishParseError(ValueError):
    """A value could not be read. ``str(exc)`` is a short Danish message with what was expected."""


class AmbiguousAmount(DanishParseError):
    """An amount with two plausible readings; ``readings`` holds both, in kroner (exact, not rounded)."""

    def __init__(self, text: str, readings: tuple[Decimal, Decimal]) -> None:
        self.readings = readings
        first, second = (format_reading(r) for r in readings)
        super().__init__(
            f"'{text}' er tvetydigt: kan læses som {first} eller {second}; skriv beløbet entydigt, "
            "fx '100.000 kr.' (punktum som tusindtalsseparator) eller '2,5 mio. kr.'"
        )


class AmountUnit(enum.IntEnum):
    """Multiplier from a stated unit to kroner."""

    KR = 1
    TKR = 1_000
    MIO = 1_000_000

    @property
    def label(self) -> str:
        """The unit as Danish text: "kr.", "t.kr.", "mio. kr."."""
        return {1: "kr.", 1_000: "t.kr.", 1_000_000: "mio. kr."}[int(self)]


def format_reading(kroner: Decimal) -> str:
    """One reading of an amount for a message: "100 kr.", "100.000 kr.", "2,5 mio. kr.", "0,1 kr."."""
    if kroner == kroner.to_integral_value():
        return format_amount_prose(int(kroner)) if abs(kroner) < 10**9 else format_amount(int(kroner))
    return f"{kroner.normalize():f}".replace(".", ",") + " kr."


_MIO_RE = re.compile(r"\bmio\b|\bmill?\b|\bmill?ion(?:er)?\b", re.IGNORECASE)
_TKR_RE = re.compile(r"\bt\.?\s*kr\b|\btkr\b|\btusinde?\b|\b1\.?000\s*kr\b", re.IGNORECASE)


def amount_unit_from_header(header: str | None) -> AmountUnit:
    """The unit a header announces: "(mio. kr.)"/"mill. kr." → MIO, "(t.kr.)"/"1.000 kr."/"tusinde kr." → TKR,
    else KR (also for a header that names no unit)."""
    if not header:
        return AmountUnit.KR
    if _MIO_RE.search(header):
        return AmountUnit.MIO
    if _TKR_RE.search(header):
        return AmountUnit.TKR
    return AmountUnit.KR


_AMOUNT_EXAMPLES = "forventede fx '404.567 kr.', '1,3 mio. kr.' eller 'kr. 300.000,-'"
_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk|kroner)$", re.IGNORECASE)
_UNIT_WORD = re.compile(
    r"\s*(?:(?P<mio>mio\.?|mill?\.?|mill?ion(?:er)?)|(?P<tkr>t\.?\s*kr\.?|tkr\.?|tusind))\s*(?:kr\.?|dkk|kroner)?\.?$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
_THOUSANDS_DOT_DEC = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_ONE_DOT_GROUP = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")
_ONE_COMMA_GROUP = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")
_ENGLISH = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3}){2,}(?:\.\d+)?|(?:,\d{3})+\.\d+)$")
_PLAIN_DEC_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)?$")
_PLAIN_DEC_DOT = re.compile(r"^[+-]?\d+\.\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


#: From this many kroner up, a fraction in a kroner amount is øre (rounded); below it, ambiguous.
ORE_FROM = 1_000


def _scaled(number: Decimal, unit: AmountUnit, shown: str) -> int:
    """``number`` in ``unit`` as whole kroner; a small kroner amount with a fraction is ambiguous."""
    if unit is AmountUnit.KR and number != number.to_integral_value() and abs(number) < ORE_FROM:
        raise AmbiguousAmount(shown, (number, number * AmountUnit.MIO))
    return _round(number * int(unit))


def parse_amount(value: object, unit: AmountUnit = AmountUnit.KR) -> int | None:
    """Whole kroner from an Excel number or Danish text; ``None`` for an empty cell.

    ``unit`` is the unit the column header announces (see
    :func:`amount_unit_from_header`); a unit written in the text itself
    ("1,3 mio. kr.", "300 t.kr.") overrides it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise DanishParseError(f"'{value}' er ikke et beløb; {_AMOUNT_EXAMPLES}")
    if isinstance(value, int):
        return value * int(unit)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise DanishParseError(f"'{value}' er ikke et beløb; {_AMOUNT_EXAMPLES}")
        if value.is_integer() and unit is AmountUnit.KR:
            return int(value)
        return _scaled(Decimal(repr(value)), unit, repr(value).replace(".", ","))
    if isinstance(value, Decimal):
        return _scaled(value, unit, f"{value:f}".replace(".", ","))
    if not isinstance(value, str):
        raise DanishParseError(f"'{value}' er ikke et beløb; {_AMOUNT_EXAMPLES}")
    return _parse_amount_text(value, unit)


@lru_cache(maxsize=65536)
def _parse_amount_text(text: str, unit: AmountUnit) -> int | None:
    original = text
    s = text.strip()
    if s in ("", "-", "–", "—"):
        return None
    s = _SPACES.sub(" ", s)
    if s.endswith(",-") or s.endswith(",–"):
        s = s[:-2].strip()
    m = _UNIT_WORD.search(s)
    if m:
        unit = AmountUnit.MIO if m.group("mio") else AmountUnit.TKR
        s = s[: m.start()].strip()
    # currency before or after the number; a bare "kr."/"DKK" makes the text kroner in any column
    currency = 0
    for _ in range(2):
        s, n = _CURRENCY.subn("", s)
        s = s.strip()
        currency += n
    if currency and not m:
        unit = AmountUnit.KR
    if s.endswith(",-"):
        s = s[:-2].strip()
    # thousands separated by spaces: "1 125 000"
    if re.fullmatch(r"[+-]?\d{1,3}(?: \d{3})+(?:,\d+)?", s):
        s = s.replace(" ", "")
    s = s.replace(" ", "") if re.fullmatch(r"[+-] \d[\d.,]*", s) else s
    if not _NUMBER.match(s):
        raise DanishParseError(f"'{original.strip()}' er ikke et beløb; {_AMOUNT_EXAMPLES}")
    shown = original.strip()
    if _ONE_DOT_GROUP.match(s) and unit is AmountUnit.MIO:
        # "1.250 mio.": 1.250 millions (Danish) or 1,25 millions (English)
        raise AmbiguousAmount(shown, (Decimal(s.replace(".", "")) * unit, Decimal(s) * unit))
    if _ONE_COMMA_GROUP.match(s) and unit is not AmountUnit.MIO:
        # "100,000": 100 with a decimal comma, or 100.000 with an English thousands separator
        raise AmbiguousAmount(shown, (Decimal(s.replace(",", ".")) * unit, Decimal(s.replace(",", "")) * unit))
    if _THOUSANDS_DOT.match(s):
        number = s.replace(".", "")
    elif _THOUSANDS_DOT_DEC.match(s):
        number = s.replace(".", "").replace(",", ".")
    elif _ENGLISH.match(s):
        number = s.replace(",", "")
    elif _PLAIN_DEC_COMMA.match(s):
        number = s.replace(",", ".")
    elif _PLAIN_DEC_DOT.match(s) and unit is not AmountUnit.KR:
        number = s  # "1.3 mio": a dot as decimal point, only with a unit
    else:
        raise DanishParseError(f"'{original.strip()}' er ikke et beløb; {_AMOUNT_EXAMPLES}")
    try:
        return _scaled(Decimal(number), unit, shown)
    except InvalidOperation:
        raise DanishParseError(f"'{original.strip()}' er ikke et beløb; {_AMOUNT_EXAMPLES}") from None


def parse_number(value: object) -> float | None:
    """A plain number from a cell (a score, a weight): an Excel number, or text with a decimal comma ("3,5")
    or point ("3.5"); ``None`` for an empty cell. Anything else, a truth value or a number that is not
    finite raises :class:`DanishParseError`. Not for amounts (:func:`parse_amount` knows units and
    thousands separators)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise DanishParseError(f"'{value}' er ikke et tal; forventede fx 4 eller 3,5")
    if isinstance(value, str):
        try:
            value = Decimal(" ".join(value.split()).replace(",", "."))
        except InvalidOperation:
            raise DanishParseError(f"'{value.strip()}' er ikke et tal; forventede fx 4 eller 3,5") from None
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise DanishParseError(f"'{value}' er ikke et tal; forventede fx 4 eller 3,5")
    return number


def format_number(kroner: int) -> str:
    """Thousands separated by dots: ``23231178`` → ``"23.231.178"``."""
    return f"{kroner:,}".replace(",", ".")


def format_amount(kroner: int) -> str:
    """Danish amount: ``23231178`` → ``"23.231.178 kr."``."""
    return f"{format_number(kroner)} kr."


def format_millions(kroner: int, decimals: int = 2, *, unit: bool = True) -> str:
    """Millions with a decimal comma, half-up: ``23231178`` → ``"23,23 mio. kr."``; ``unit=False``: ``"23,23"``
    (a table headed "mio. kr."); ``decimals=1``: ``"23,2 mio. kr."`` (a chart's axis).

    The one text of a million in every output; the rounding is :func:`pagt_xl.base.figures.millions`.
    From a thousand millions on, with thousands dots: ``40495800000`` → ``"40.495,80 mio. kr."``.
    """
    text = f"{figures.millions(kroner, decimals):,.{decimals}f}".replace(",", "\x00").replace(".", ",")
    text = text.replace("\x00", ".")
    return f"{text} mio. kr." if unit else text


def format_share(percent: int) -> str:
    """A whole percentage (a share already rounded, :func:`pagt_xl.base.figures.share_percents`) as Danish text:
    ``19`` → ``"19 %"``."""
    return f"{int(percent)} %"


#: The Danish word for each issue severity, keyed by its value: a :class:`~pagt_xl.base.model.Severity`
#: finds its word too (a ``StrEnum`` is its value). The one table of severity words; the terminal writes
#: them in capitals ("FEJL"), the memo in lower case ("fejl").
SEVERITY_LABELS: dict[str, str] = {"error": "Fejl", "warning": "Advarsel", "info": "Info"}


def format_amount_prose(kroner: int) -> str:
    """An amount as prose writes it: under a million in kroner ("200.000 kr."), else in
    millions with at most two decimals ("4,2 mio. kr.", "23,23 mio. kr.", "5 mio. kr.")."""
    if abs(kroner) < 1_000_000:
        return format_amount(kroner)
    return format_millions(kroner, unit=False).rstrip("0").rstrip(",") + " mio. kr."


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|", "ü": "y", "é": "e", "è": "e"})


def danish_sort_key(text: str) -> tuple[str, str]:
    """Sort key for Danish alphabetical order: a-z, then æ, ø, å; case-insensitive.

    As in Danish dictionaries and directories, "aa" at the start of a word is
    sorted as "å" (Aalborg after Øster).
    """
    folded = re.sub(r"\baa", "å", text.casefold())
    return (folded.translate(_DANISH_ORDER), text)


def format_percent(share: float, decimals: int = 0) -> str:
    """A share as Danish percent: ``0.18`` → ``"18 %"``; ``decimals=1`` → ``"18,2 %"``."""
    q = (Decimal(repr(float(share))) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q:.{decimals}f}".replace(".", ",") + " %"


def format_decimal(value: float, decimals: int = 1, *, sign: bool = False) -> str:
    """A decimal number the Danish way, rounded half up: ``110.849`` → ``"110,8"``; ``1234.5`` → ``"1.234,5"``;
    ``sign``: a plus before a positive number (``"+1,9"``). The one text of an index, a score or a gap."""
    q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{abs(q):.{decimals}f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
    return ("-" if q < 0 else "+" if sign and q > 0 else "") + text


MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTH_LOOKUP = (
    {name: i + 1 for i, name in enumerate(MONTHS)} | {name[:3]: i + 1 for i, name in enumerate(MONTHS)} | {"sept": 9}
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_EXAMPLES = "forventede fx '10. oktober 2019', '10.10.2019' eller '2019-10-10'"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_DMONY = re.compile(r"^(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})$", re.IGNORECASE)


def parse_date(value: object) -> dt.date | None:
    """A date from a cell: date/datetime, Excel serial (1900 system) or Danish text; ``None`` if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DanishParseError(f"'{value}' er ikke en dato; {_DATE_EXAMPLES}")
    if isinstance(value, int | float):
        if value != value or not 1 <= value <= 2_958_465:
            raise DanishParseError(f"'{value}' er ikke en dato; {_DATE_EXAMPLES}")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        raise DanishParseError(f"'{value}' er ikke en dato; {_DATE_EXAMPLES}")
    return _parse_date_text(value)


@lru_cache(maxsize=16384)
def _parse_date_text(text: str) -> dt.date:
    s = " ".join(text.split())
    try:
        m = _ISO.match(s)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY.match(s)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _DMONY.match(s)
        if m:
            month = _MONTH_LOOKUP.get(m.group(2).lower())
            if month is None:
                raise DanishParseError(f"'{text.strip()}': ukendt måned '{m.group(2)}'; {_DATE_EXAMPLES}")
            return dt.date(int(m.group(3)), month, int(m.group(1)))
    except ValueError as exc:
        if isinstance(exc, DanishParseError):
            raise
        raise DanishParseError(f"'{text.strip()}' er ikke en gyldig dato; {_DATE_EXAMPLES}") from None
    raise DanishParseError(f"'{text.strip()}' er ikke en dato; {_DATE_EXAMPLES}")


def format_date(d: dt.date) -> str:
    """Danish long date: ``"15. februar 2024"``."""
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def parse_year(value: object) -> int | None:
    """A year 1990-2100 from a number, text or date; ``None`` if empty."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        year = value.year
    elif isinstance(value, bool):
        raise DanishParseError(f"'{value}' er ikke et årstal; forventede fx 2019")
    elif isinstance(value, int):
        year = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise DanishParseError(f"'{value}' er ikke et årstal; forventede fx 2019")
        year = int(value)
    elif isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if not s.isdigit() or len(s) != 4:
            raise DanishParseError(f"'{s}' er ikke et årstal; forventede fx 2019")
        year = int(s)
    else:
        raise DanishParseError(f"'{value}' er ikke et årstal; forventede fx 2019")
    if not 1990 <= year <= 2100:
        raise DanishParseError(f"'{year}' er ikke et rimeligt årstal; forventede et år mellem 1990 og 2100")
    return year


@dataclass(frozen=True)
class Period:
    """A project period, both ends inclusive."""

    start: dt.date
    end: dt.date


def parse_year_range(text: str) -> tuple[int, int]:
    """A range of whole years: '2019-2023' → (2019, 2023); '2023' → (2023, 2023).

    Raises :class:`~pagt_xl.base.errors.RequestError` (``bad_period``, Danish message) for anything else,
    or a range that ends before it begins.
    """
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if not all(p.isdigit() for p in parts if p):
        raise RequestError(f"ugyldig periode '{text}'; skriv fx 2019-2023", code=ErrorCode.BAD_PERIOD)
    years = [int(p) for p in parts if p]
    if len(years) == 1:
        return years[0], years[0]
    if len(years) != 2 or years[0] > years[1]:
        raise RequestError(f"ugyldig periode '{text}'; skriv fx 2019-2023", code=ErrorCode.BAD_PERIOD)
    return years[0], years[1]


_PERIOD_EXAMPLES = "forventede fx '2021-2023' eller '10.10.2019-31.12.2026'"
_YEAR_ONLY = re.compile(r"^\d{4}$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[./](\d{4})$")


def parse_period(value: object) -> Period | None:
    """A period from "2021-2023", "2023", "10.10.2019-31.12.2026", "01.2021-06.2022"; ``None`` if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        year = parse_year(value)
        assert year is not None
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not isinstance(value, str):
        raise DanishParseError(f"'{value}' er ikke en periode; {_PERIOD_EXAMPLES}")
    return _parse_period_text(value)


@lru_cache(maxsize=16384)
def _parse_period_text(text: str) -> Period:
    s = " ".join(text.replace("–", "-").replace("—", "-").split())
    if _YEAR_ONLY.match(s):
        y = int(s)
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31))
    # split on a dash with spaces, else on the dash that separates two parts
    parts = [p.strip() for p in s.split(" - ")] if " - " in s else None
    if parts is None:
        if re.fullmatch(r"\d{4}-\d{4}", s) or s.count("-") == 1:
            parts = s.split("-")
        else:
            m = re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})-(\d{4}-\d{1,2}-\d{1,2})", s)
            parts = [m.group(1), m.group(2)] if m else None
    if not parts or len(parts) != 2:
        raise DanishParseError(f"'{text.strip()}' er ikke en periode; {_PERIOD_EXAMPLES}")
    try:
        start = _period_end(parts[0], first=True)
        end = _period_end(parts[1], first=False)
    except DanishParseError:
        raise DanishParseError(f"'{text.strip()}' er ikke en periode; {_PERIOD_EXAMPLES}") from None
    if end < start:
        raise DanishParseError(f"'{text.strip()}': perioden slutter før den begynder")
    return Period(start, end)


def _period_end(part: str, *, first: bool) -> dt.date:
    if _YEAR_ONLY.match(part):
        y = int(part)
        return dt.date(y, 1, 1) if first else dt.date(y, 12, 31)
    m = _MONTH_YEAR.match(part)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise DanishParseError(part)
        if first:
            return dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    d = _parse_date_text(part)
    return d


# formatting tags that come with text pasted from reports (e.g. "<i>v/UCN</i>"); other text in <> is kept
_TAGS = re.compile(r"</?(?:i|b|u|em|strong|br|span|sup|sub|font|p)(?:\s[^>]*)?/?>", re.IGNORECASE)


def split_title_applicant(text: str) -> tuple[str, str | None]:
    """Split "Titel v/ Institution" at the last " v/" into title and lead applicant."""
    clean = " ".join(_TAGS.sub(" ", text).split()) if "<" in text else " ".join(text.split())
    k = clean.lower().rfind("v/")
    if k <= 0 or not clean[k - 1].isspace():
        return clean, None
    title = clean[:k].strip().rstrip(",;-–").strip()
    applicant = clean[k + 2 :].strip().rstrip(".,;").strip()
    if not title or not applicant:
        return clean, None
    return title, applicant


# -- comparison keys: the same text is the same key (issue 23, item 5) -------------------------------------
#: Hyphen and dash variants (and the minus sign) read as "-": "2020‐01" (U+2010) is "2020-01".
_DASH_VARIANTS = re.compile("[\u2010-\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]")
#: Cyrillic and Greek letters (lower case, after casefold) that look like Latin ones, and the Latin letter.
_CONFUSABLE_LOWER = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "ë", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "ï", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "y", "χ": "x",
}  # fmt: skip
_CONFUSABLES = str.maketrans(_CONFUSABLE_LOWER)
#: Every letter (either case) that :data:`_CONFUSABLE_LOWER` maps, for :func:`mixed_script`.
_CONFUSABLE_CHARS = frozenset(
    ch for low in _CONFUSABLE_LOWER for ch in {low, low.upper()} if ch.casefold() in _CONFUSABLE_LOWER
)
#: Letters that NFC does not compose but that look like one Danish letter: "o" + combining long solidus is "ø".
_LOOKALIKE_SEQUENCES = (("o\u0338", "ø"), ("o\u0337", "ø"), ("a\u030a", "å"))


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    """Format characters (Unicode category Cf: zero-width space, joiners, soft hyphen, BOM, direction marks ...)
    mapped to nothing, built on first use (a scan of the Basic Multilingual Plane and the tag block)."""
    found = {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Cf"}
    found.update({cp: None for cp in range(0xE0000, 0xE0080)})
    return found


def is_latin1(text: str) -> bool:
    """Whether every character of ``text`` is in Latin-1 (ASCII, æ, ø, å, é ...): quick, in C."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def comparison_key(text: str) -> str:
    """The one key two texts are compared by (duplicates, names, case numbers, themes, headers).

    Two cells that look the same give the same key: Unicode compatibility forms folded (NFKC),
    format and zero-width characters removed (zero-width space and joiners, soft hyphen, BOM,
    direction marks), hyphen and dash variants read as "-", case folded, Cyrillic and Greek
    letters that look like Latin ones read as those (see :func:`mixed_script`), composed (NFC) and
    spacing collapsed. Letters, digits and punctuation are otherwise kept.
    """
    if text.isascii():  # the common case: nothing to fold but case and spacing
        return " ".join(text.casefold().split())
    if is_latin1(text):  # Danish text: no format character but the soft hyphen, no look-alike
        plain = text.replace("\xad", "") if "\xad" in text else text
        if unicodedata.is_normalized("NFKC", plain):
            return " ".join(plain.casefold().split())
    return _comparison_key(text)


@lru_cache(maxsize=65536)
def _comparison_key(text: str) -> str:
    # format characters go first: a soft hyphen only shows at a line break, a zero-width space never
    s = unicodedata.normalize("NFKC", text.translate(_invisible()))
    s = _DASH_VARIANTS.sub("-", s)
    s = unicodedata.normalize("NFC", s.casefold().translate(_CONFUSABLES))
    for seq, letter in _LOOKALIKE_SEQUENCES:
        if seq in s:
            s = s.replace(seq, letter)
    return " ".join(s.split())


def case_key(text: object) -> str:
    """The comparison key of a case number: :func:`comparison_key` without any spaces ("2020 - 01" is "2020-01")."""
    if text is None:
        return ""
    return comparison_key(text if text.__class__ is str else str(text)).replace(" ", "")


_SCRIPT_NAMES = {"CYRILLIC": "kyrillisk", "GREEK": "græsk"}


def mixed_script(text: str) -> list[str]:
    """The letters of a Latin text (or a case number) that are Cyrillic or Greek look-alikes, described in Danish
    ("kyrillisk 'А'"); an empty list when there are none.

    A text with other Cyrillic or Greek letters too is taken as written in that script and not reported,
    nor is one without Latin letters or digits: only a look-alike among Latin letters or digits is.
    """
    if is_latin1(text):  # no Greek or Cyrillic letter at all
        return []
    found = [ch for ch in text if ch in _CONFUSABLE_CHARS]
    if not found:
        return []
    for ch in text:
        if ch.isalpha() and ch not in _CONFUSABLE_CHARS and unicodedata.name(ch, "").split(" ")[0] in _SCRIPT_NAMES:
            return []  # a real Cyrillic or Greek word
    if not any(("a" <= ch.lower() <= "z") or ch.isdigit() or ch in "æøåÆØÅ" for ch in text):
        return []
    out: list[str] = []
    for ch in dict.fromkeys(found):
        script = _SCRIPT_NAMES.get(unicodedata.name(ch, "").split(" ")[0], "ikke-latinsk")
        out.append(f"{script} '{ch}'")
    return out


_NUM_PREFIX = re.compile(r"^\s*\d{1,2}\s*[.)]\s*|^\s*\d{1,2}\s+-\s+")
_APOSTROPHES = str.maketrans("", "", "'’`´‘\"“”")
_DASHES = re.compile(r"[-‐‑‒–—_/]+")
_PUNCT = re.compile(r"[^\w\s]")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "é": "e"})


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """Matching key for a name: :func:`comparison_key`, then numbering, hyphens, apostrophes and æ/ø/å folded."""
    s = comparison_key(text)
    s = _NUM_PREFIX.sub("", s)
    s = s.translate(_APOSTROPHES).translate(_DANISH)
    s = _DASHES.sub(" ", s)
    s = _PUNCT.sub(" ", s)
    return " ".join(s.split())


class NameMatch(NamedTuple):
    """Result of :meth:`NameMatcher.match`: a key, or candidates when ambiguous."""

    key: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether exactly one key matched."""
        return self.key is not None

    @property
    def ambiguous(self) -> bool:
        """Whether several keys fit (a cut-off name)."""
        return len(self.candidates) > 1


_CUT = re.compile(r"(?:\.\.\.|…)\s*$")


class NameMatcher:
    """Matches spellings of names (themes, types, rounds...) to canonical keys. Never guesses."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        self._exact: dict[str, str] = {}
        for key, spellings in names.items():
            for name in spellings:
                norm = normalize_name(name)
                if not norm:
                    continue
                other = self._exact.get(norm)
                if other is not None and other != key:
                    raise ConfigError(f"navnet '{name}' passer både til '{other}' og '{key}'",
                                      code=ErrorCode.CONFIG_CONFLICT)  # fmt: skip
                self._exact[norm] = key
        self._cache: dict[str, NameMatch] = {}

    def match(self, text: str) -> NameMatch:
        """The key for ``text``; cut-off names ("…", "...") only when exactly one key fits."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        result = self._match(text)
        if len(self._cache) < 100_000:
            self._cache[text] = result
        return result

    def _match(self, text: str) -> NameMatch:
        norm = normalize_name(text)
        key = self._exact.get(norm)
        if key is not None:
            return NameMatch(key)
        if _CUT.search(text):
            prefix = normalize_name(_CUT.sub("", text))
            if len(prefix) >= 4:
                keys = sorted({k for name, k in self._exact.items() if name.startswith(prefix)})
                if len(keys) == 1:
                    return NameMatch(keys[0])
                if len(keys) > 1:
                    return NameMatch(None, tuple(keys))
        return NameMatch(None)


# -- amounts in words (decision letters, issue 16) --------------------------------------------------
_UNITS = ("nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve", "tolv", "tretten",
          "fjorten", "femten", "seksten", "sytten", "atten", "nitten")  # fmt: skip
_TENS = ("", "", "tyve", "tredive", "fyrre", "halvtreds", "tres", "halvfjerds", "firs", "halvfems")


def _below_hundred(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] if unit == 0 else f"{_UNITS[unit]}og{_TENS[tens]}"


def _below_thousand(n: int, *, neuter: bool) -> list[str]:
    """Words of 1..999; ``neuter``: "et" for a final 1 before a neuter noun ("et tusind", "et hundrede og et
    tusind"; not "en tusind"). A compound ("enogtyve tusind") is never inflected."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words.append("et hundrede" if hundreds == 1 else f"{_UNITS[hundreds]} hundrede")
    if rest:
        if hundreds:
            words.append("og")
        words.append("et" if rest == 1 and neuter else _below_hundred(rest))
    return words


def number_in_words(n: int) -> str:
    """A whole number in Danish words: 1250000 → "en million to hundrede og halvtreds tusind".

    "og" stands before the last part below one hundred ("et tusind og fem", "to hundrede og
    halvtreds"); one is "en million", "et tusind", "et hundrede". Negative numbers get "minus".
    """
    if n < 0:
        return "minus " + number_in_words(-n)
    if n == 0:
        return _UNITS[0]
    groups: list[tuple[int, str, str]] = []  # (value, singular, plural) from the highest
    for size, singular, plural in ((10**9, "milliard", "milliarder"), (10**6, "million", "millioner"),
                                   (10**3, "tusind", "tusind"), (1, "", "")):  # fmt: skip
        value, n = divmod(n, size)
        if value:
            groups.append((value, singular, plural))
    words: list[str] = []
    for k, (value, singular, plural) in enumerate(groups):
        last = k == len(groups) - 1
        if last and not singular and value < 100 and words:
            words.append("og")
        if singular in ("million", "milliard"):
            words.extend(["en", singular] if value == 1 else [*_below_thousand(value, neuter=False), plural])
        elif singular == "tusind":
            words.extend([*_below_thousand(value, neuter=True), "tusind"])
        else:
            words.extend(_below_thousand(value, neuter=False))
    return " ".join(words)


def amount_in_words(kroner: int) -> str:
    """An amount in figures and words, as in a grant letter: "1.250.000 kr. (en million to hundrede og
    halvtreds tusind kroner)"."""
    unit = "krone" if abs(kroner) == 1 else "kroner"
    return f"{format_amount(kroner)} ({number_in_words(kroner)} {unit})"


_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


_UNIT_TAIL = re.compile(
    r"\s*(?:i\s+)?(?:(?:mio|mill?|t|tkr|tusinde?|1\.?000)\.?\s*)?(?:kr|dkk|kroner)\.?\s*$", re.IGNORECASE
)


@lru_cache(maxsize=8192)
def header_key(text: str) -> str:
    """Normalised header text: units in parentheses and trailing "kr." removed."""
    stripped = _PARENS.sub(" ", text)
    stripped = _UNIT_TAIL.sub("", stripped)
    return normalize_name(stripped)
