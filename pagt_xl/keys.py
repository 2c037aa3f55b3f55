"""The breakdown keys and their Danish labels.

A module of its own, without pandas, so that the command line can offer the
keys in ``--help`` without loading the data libraries.
"""

from __future__ import annotations

#: Everything a breakdown can be by, in the order the command line lists them.
KEYS: tuple[str, ...] = (
    "year",
    "round",
    "theme",
    "type",
    "applicant",
    "institution_type",
    "target_group",
    "status",
    "progress",
)
#: Danish column titles per key.
KEY_LABELS: dict[str, str] = {
    "year": "År",
    "round": "Runde",
    "theme": "Indsatsområde",
    "type": "Projekttype",
    "applicant": "Ansøger",
    "institution_type": "Institutionstype",
    "target_group": "Målgruppe",
    "status": "Status",
    "progress": "Fremdrift",
}
