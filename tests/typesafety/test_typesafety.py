"""Type tests of the generated v42 API.

``check_v42_models.py`` holds the positive ``assert_type`` checks (pyright checks them in the
project run; here they run and assert values). The negative checks below run pyright strict once
over small snippets in a temp dir and assert its exact diagnostics. Two of the mistakes pass at
runtime by design (pydantic takes the wire name ``valueType=`` as well as ``value_type=``, and an
unknown enum string becomes a pseudo-member), so pyright is the only guard against them; the
third, an unknown attribute, raises ``AttributeError`` only when the line runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import cast

from tests.paths import GENERATED
from tests.typesafety.check_v42_models import check_v42_models, check_v42_owned_children

SNIPPETS = {
    "good.py": """\
from dhis2_sdk.v42 import DataElement, ValueType

element = DataElement(name="ANC 1st visit", value_type=ValueType.TEXT)
print(element.value_type, element.to_wire())
""",
    "wire_name_keyword.py": """\
from dhis2_sdk.v42 import DataElement

DataElement(valueType="TEXT")
""",
    "str_for_enum.py": """\
from dhis2_sdk.v42 import DataElement

DataElement(value_type="NOT_A_TYPE")
""",
    "unknown_attribute.py": """\
from dhis2_sdk.v42 import DataElement

element = DataElement()
print(element.nonexistent)
""",
}


def test_v42_models_at_runtime() -> None:
    check_v42_models()


def test_v42_owned_children_at_runtime() -> None:
    check_v42_owned_children()


RESOURCE_SNIPPETS = {
    "misspelt_field.py": """\
from dhis2_sdk.v42 import Dhis2Client

async def main(client: Dhis2Client) -> None:
    await client.resources.data_elements.list(fields=["id", "nmae"])
""",
    "misspelt_filter.py": """\
from dhis2_sdk.v42 import Dhis2Client

async def main(client: Dhis2Client) -> None:
    await client.resources.data_elements.list(filters=[("nmae", "eq", "ANC")])
""",
    "unknown_operator.py": """\
from dhis2_sdk.v42 import Dhis2Client

async def main(client: Dhis2Client) -> None:
    await client.resources.data_elements.list(filters=[("name", "equals", "ANC")])
""",
    "misspelt_resource.py": """\
from dhis2_sdk.v42 import Dhis2Client

async def main(client: Dhis2Client) -> None:
    await client.resources.data_element.list()
""",
}


Diagnostic = tuple[str, int, str, str, str]
"""(file name, line, severity, rule, first line of the message)."""


def _pyright_diagnostics(tmp_path: Path, snippets: dict[str, str]) -> list[Diagnostic]:
    """Run pyright strict once over ``snippets`` written to ``tmp_path``."""
    for name, text in snippets.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11", "extraPaths": [str(GENERATED)]}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    report = cast(dict[str, object], json.loads(done.stdout))
    assert cast(dict[str, int], report["summary"])["filesAnalyzed"] == len(snippets)
    found: list[Diagnostic] = []
    for diagnostic in cast(list[dict[str, object]], report["generalDiagnostics"]):
        start = cast(dict[str, dict[str, int]], diagnostic["range"])["start"]
        found.append(
            (
                Path(str(diagnostic["file"])).name,
                start["line"] + 1,
                str(diagnostic["severity"]),
                str(diagnostic.get("rule")),
                # The first line; pyright indents the explanation below it.
                str(diagnostic["message"]).splitlines()[0],
            )
        )
    return sorted(found)


def test_pyright_rejects_misspelt_accessor_names(tmp_path: Path) -> None:
    found = {
        (name, line, rule)
        for name, line, _s, rule, _m in _pyright_diagnostics(tmp_path, RESOURCE_SNIPPETS)
    }
    assert {(name, line) for name, line, _rule in found} == {(n, 4) for n in RESOURCE_SNIPPETS}
    assert ("misspelt_field.py", 4, "reportArgumentType") in found
    assert ("misspelt_resource.py", 4, "reportAttributeAccessIssue") in found


def test_pyright_rejects_misuse(tmp_path: Path) -> None:
    found = _pyright_diagnostics(tmp_path, SNIPPETS)
    assert sorted(found) == [
        (
            "str_for_enum.py",
            3,
            "error",
            "reportArgumentType",
            """Argument of type "Literal['NOT_A_TYPE']" cannot be assigned to parameter"""
            ' "value_type" of type "ValueType | None" in function "__init__"',
        ),
        # Strict mode also reports the unknown type the bad access produces, twice.
        (
            "unknown_attribute.py",
            4,
            "error",
            "reportAttributeAccessIssue",
            'Cannot access attribute "nonexistent" for class "DataElement"',
        ),
        (
            "unknown_attribute.py",
            4,
            "error",
            "reportUnknownArgumentType",
            "Argument type is unknown",
        ),
        (
            "unknown_attribute.py",
            4,
            "error",
            "reportUnknownMemberType",
            'Type of "nonexistent" is unknown',
        ),
        ("wire_name_keyword.py", 3, "error", "reportCallIssue", 'No parameter named "valueType"'),
    ]
