"""Data values for the recorded aggregate metadata: many valid, some invalid for known reasons.

``planned_import()`` lays out tens of thousands of valid values (every data element of both
recorded data sets, every category option combo of its combo, three years of periods, three org
units the data sets are assigned to) with invalid ones interleaved. Each invalid value names the
error code and conflict object DHIS2 answers for it, so a test can expect every conflict exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from tests.data_side.conftest import aggregate_metadata

MONTHLY_SET = "VEM58nY22sO"
YEARLY_SET = "qNtxTrp56wV"
ASSIGNED_UNITS = ("ImspTQPwCqd", "O6uvpzGd5pu", "YuQRtpLP10I")
"""Org units both data sets are assigned to (Sierra Leone, Bo, Badjia in Bo)."""
UNASSIGNED_UNIT = "jPidqyo7cpF"
"""Bagruwa: recorded in the tree, but no data set is assigned to it."""
DEFAULT_COC = "HllvX50cXC0"
DEFAULT_COMBO = "bjDvmb4bfuf"
MONTHS = tuple(f"{year}{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13))
YEARS = ("2022", "2023", "2024")

Wire = dict[str, object]


@dataclass(frozen=True, slots=True)
class Rejected:
    """An invalid value and the conflict DHIS2 answers for it."""

    value: Wire
    error_code: str
    conflict_object: str


@dataclass(frozen=True, slots=True)
class PlannedImport:
    """The values to send, in order; which are valid; which conflicts to expect where."""

    sent: list[Wire]
    valid: list[Wire]
    rejected: dict[int, Rejected]


def _ref(obj: Wire, key: str) -> str:
    return str(cast(Wire, obj[key])["id"])


def planned_import(invalid_every: int = 97) -> PlannedImport:
    """Every valid value described above, an invalid one after each ``invalid_every``."""
    metadata = aggregate_metadata()
    elements = {str(e["id"]): e for e in cast(list[Wire], metadata["dataElements"])}
    option_combos: dict[str, list[str]] = {}
    for coc in cast(list[Wire], metadata["categoryOptionCombos"]):
        option_combos.setdefault(_ref(coc, "categoryCombo"), []).append(str(coc["id"]))
    option_combos[DEFAULT_COMBO] = [DEFAULT_COC]
    data_sets = {str(d["id"]): d for d in cast(list[Wire], metadata["dataSets"])}
    valid: list[Wire] = []
    number = 0
    for set_uid, periods in ((MONTHLY_SET, MONTHS), (YEARLY_SET, YEARS)):
        for member in cast(list[Wire], data_sets[set_uid]["dataSetElements"]):
            uid = _ref(member, "dataElement")
            element = elements[uid]
            boolean = element["valueType"] == "BOOLEAN"
            for coc in option_combos[_ref(element, "categoryCombo")]:
                for period in periods:
                    for unit in ASSIGNED_UNITS:
                        number += 1
                        value = (
                            ("true" if number % 3 else "false") if boolean else str(number % 500)
                        )
                        valid.append(
                            {
                                "dataElement": uid,
                                "period": period,
                                "orgUnit": unit,
                                "categoryOptionCombo": coc,
                                "attributeOptionCombo": DEFAULT_COC,
                                "value": value,
                            }
                        )
    integer_element = next(
        uid
        for uid, e in elements.items()
        if e["valueType"] == "INTEGER_ZERO_OR_POSITIVE"
        and _ref(e, "categoryCombo") == "IvYR8mc6prX"
    )
    foreign_coc = option_combos["JuuvtzLw22M"][0]
    base: Wire = {
        "dataElement": integer_element,
        "period": "202403",
        "orgUnit": ASSIGNED_UNITS[0],
        "categoryOptionCombo": option_combos["IvYR8mc6prX"][0],
        "value": "7",
    }
    kinds = [
        Rejected({**base, "dataElement": "Xx123456789"}, "E7610", "Xx123456789"),
        Rejected({**base, "orgUnit": "Qq123456789"}, "E7612", "Qq123456789"),
        Rejected({**base, "orgUnit": UNASSIGNED_UNIT}, "E7645", integer_element),
        Rejected({**base, "period": "2024Q2"}, "E7640", "2024Q2"),
        Rejected({**base, "categoryOptionCombo": foreign_coc}, "E7633", foreign_coc),
        Rejected({**base, "value": "seven"}, "E7619", "seven"),
        Rejected({**base, "value": "-3"}, "E7619", "-3"),
    ]
    sent: list[Wire] = []
    rejected: dict[int, Rejected] = {}
    for position, value in enumerate(valid):
        sent.append(value)
        if position % invalid_every == invalid_every - 1:
            bad = kinds[len(rejected) % len(kinds)]
            rejected[len(sent)] = bad
            sent.append(bad.value)
    return PlannedImport(sent, valid, rejected)
