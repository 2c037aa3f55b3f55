"""Finding the header row of a hand-made sheet and mapping its columns to fields."""

from __future__ import annotations

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import AmountUnit, amount_unit_from_header, header_key
from pagt_xl.core.tables import ColumnMap

#: How far down a sheet the header row may sit (title rows, notes above it).
HEADER_SEARCH_ROWS = 40
#: A header row must map at least this many distinct fields.
MIN_HEADER_FIELDS = 2


def alias_index(aliases: dict[str, list[str]]) -> dict[str, str]:
    """Normalised header alias → field name."""
    index: dict[str, str] = {}
    for field_name, names in aliases.items():
        for name in names:
            index.setdefault(header_key(name), field_name)
    return index


def map_columns(row: list[object], index: dict[str, str], header_row: int) -> ColumnMap:
    """Map one candidate header row's cells to fields (first occurrence wins)."""
    fields: dict[str, int] = {}
    headers: dict[int, str] = {}
    units: dict[str, AmountUnit] = {}
    unmapped: list[int] = []
    duplicates: list[tuple[str, int, int]] = []
    for j, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        text = cell.strip()
        headers[j] = text
        field_name = index.get(header_key(text))
        if field_name is None:
            unmapped.append(j)
        elif field_name in fields:
            duplicates.append((field_name, fields[field_name], j))
        else:
            fields[field_name] = j
            units[field_name] = amount_unit_from_header(text)
    return ColumnMap(header_row, fields, headers, units, unmapped, duplicates)


def find_header(rows: list[list[object]], index: dict[str, str], must_have: set[str]) -> ColumnMap | None:
    """The best header row among the first rows: most mapped fields, with one of ``must_have``.

    Returns ``None`` when no row maps at least :data:`MIN_HEADER_FIELDS` fields.
    """
    best: ColumnMap | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < MIN_HEADER_FIELDS:
            continue
        candidate = map_columns(row, index, i)
        if len(candidate.fields) < MIN_HEADER_FIELDS or not must_have & set(candidate.fields):
            continue
        if best is None or len(candidate.fields) > len(best.fields):
            best = candidate
    return best


def pact_header_index(pact: Pact) -> dict[str, str]:
    """Alias index for an overview sheet of this pact."""
    return alias_index(pact.columns.aliases)
