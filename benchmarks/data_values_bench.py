"""Data values through the stand-in: streamed import and export against raw httpx, with memory.

Run: ``python benchmarks/data_values_bench.py [--values N] [--rounds R]`` (or ``nox -s bench
-- data_values_bench.py``). Starts a v42 stand-in with dhis2-core's aggregate metadata and the
org unit tree recorded by the aggregate data entry app (both data sets assigned to all 166 org
units), then, each mode in a fresh subprocess (so peak RSS is that mode's own, measured after the
same imports):

* import, ``client.data_values.import_(generator of dicts)``: the body is streamed;
* import, raw httpx: the whole ``{"dataValues": [...]}`` built with ``json.dumps`` and POSTed;
* export, ``client.data_values.export(...)``: typed ``DataValue`` objects while the body streams;
* export, raw httpx + ``json.loads`` of the same export (untyped dicts, the whole body held);
* export, the CSV export streamed and read by ``csv.reader`` into the same typed values: the
  format ``export`` could have used instead of JSON.

Each import starts from an empty store (the stand-in is reset). Throughput is values per second
of the client's own work and the server's together (every mode talks to the same server, so the
server's share is the same), timed once the client is connected; R rounds, best kept.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated"):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

import httpx  # noqa: E402

from benchmarks._common import SHARED  # noqa: E402
from dhis2_sdk import BasicAuth, Dhis2Client  # noqa: E402
from dhis2_sdk.runtime._data_value import DATA_VALUES  # noqa: E402
from dhis2_standin.launcher import start_standin  # noqa: E402

AGGREGATE = SHARED / "unversioned" / "dhis2-core-test-payloads" / "aggregate_metadata.json"
TREE = (
    SHARED
    / "v41/fixtures/recorded-network/aggregate-data-entry-app"
    / "GET__organisationUnits_ImspTQPwCqd__q01ae2e50.json"
)
MONTHLY_SET = "VEM58nY22sO"
ROOT_UNIT = "ImspTQPwCqd"
DEFAULT_COC = "HllvX50cXC0"
MODES = ("import sdk", "import raw", "export sdk", "export raw", "export sdk csv")
Json = dict[str, object]


def _id(obj: object, key: str) -> str:
    return str(cast(Json, cast(Json, obj)[key])["id"])


def write_metadata(path: Path) -> None:
    """The aggregate metadata, the recorded org units, both data sets assigned to all of them."""
    metadata = cast(Json, json.loads(AGGREGATE.read_text()))
    tree = cast(list[Json], cast(Json, json.loads(TREE.read_text()))["organisationUnits"])
    units: list[Json] = []
    for unit in tree:
        parts = str(unit["path"]).strip("/").split("/")
        org_unit: Json = {
            "id": unit["id"],
            "name": unit["displayName"],
            "path": unit["path"],
            "shortName": str(unit["displayName"])[:50],
            "level": unit["level"],
            "openingDate": "1970-01-01T00:00:00.000",
        }
        if len(parts) > 1:
            org_unit["parent"] = {"id": parts[-2]}
        units.append(org_unit)
    for data_set in cast(list[Json], metadata["dataSets"]):
        data_set["organisationUnits"] = [{"id": unit["id"]} for unit in units]
    metadata["organisationUnits"] = units
    path.write_text(json.dumps(metadata))


def values(count: int) -> Iterator[Json]:
    """``count`` valid values of the monthly data set, generated lazily, months from 2000-01."""
    metadata = cast(Json, json.loads(AGGREGATE.read_text()))
    combos: dict[str, list[str]] = {"bjDvmb4bfuf": [DEFAULT_COC]}
    for coc in cast(list[Json], metadata["categoryOptionCombos"]):
        combos.setdefault(_id(coc, "categoryCombo"), []).append(str(coc["id"]))
    elements = {str(e["id"]): e for e in cast(list[Json], metadata["dataElements"])}
    data_set = next(d for d in cast(list[Json], metadata["dataSets"]) if d["id"] == MONTHLY_SET)
    pairs = [
        (uid, coc, elements[uid]["valueType"] == "BOOLEAN")
        for uid in (_id(m, "dataElement") for m in cast(list[Json], data_set["dataSetElements"]))
        for coc in combos[_id(elements[uid], "categoryCombo")]
    ]
    units = [
        str(u["id"]) for u in cast(list[Json], json.loads(TREE.read_text())["organisationUnits"])
    ]
    made = 0
    for month in range(10_000):
        period = f"{2000 + month // 12}{month % 12 + 1:02d}"
        for unit in units:
            for element, coc, boolean in pairs:
                yield {
                    "dataElement": element,
                    "period": period,
                    "orgUnit": unit,
                    "categoryOptionCombo": coc,
                    "attributeOptionCombo": DEFAULT_COC,
                    "value": ("true" if made % 2 else "false") if boolean else str(made % 997),
                }
                made += 1
                if made == count:
                    return


def last_period(count: int) -> str:
    last = ""
    for value in values(count):
        last = str(value["period"])
    return last


def export_params(count: int) -> dict[str, str]:
    end = last_period(count)
    return {
        "dataSet": MONTHLY_SET,
        "startDate": "2000-01-01",
        "endDate": f"{end[:4]}-12-31",
        "orgUnit": ROOT_UNIT,
        "children": "true",
    }


async def csv_export(client: Dhis2Client, params: dict[str, str]) -> int:
    """The CSV export read line by line into the same typed values (the road not taken)."""
    keys = (
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "storedBy",
        "lastUpdated",
        "comment",
        "followup",
    )
    exported, tail, header = 0, "", True
    async for chunk in client.stream("/api/dataValueSets.csv", params=params):
        text = tail + chunk.decode()
        lines = text.split("\n")
        tail = lines.pop()
        if header:
            lines, header = lines[1:], False
        rows = [dict(zip(keys, row, strict=False)) for row in csv.reader(lines)]
        exported += len(DATA_VALUES.validate_python(rows))
    return exported


async def sdk_mode(mode: str, client: Dhis2Client, count: int) -> int:
    if mode == "import sdk":
        summary = await client.data_values.import_(values(count))
        return summary.import_count.imported
    params = export_params(count)
    if mode == "export sdk csv":
        return await csv_export(client, params)
    exported = 0
    async for _value in client.data_values.export(
        data_set=params["dataSet"],
        start_date=params["startDate"],
        end_date=params["endDate"],
        org_unit=ROOT_UNIT,
        children=True,
    ):
        exported += 1
    return exported


async def raw_mode(mode: str, http: httpx.AsyncClient, url: str, count: int) -> int:
    if mode == "import raw":
        body = json.dumps({"dataValues": list(values(count))}).encode()
        response = await http.post(
            f"{url}/api/dataValueSets",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        return int(response.json()["response"]["importCount"]["imported"])
    response = await http.get(f"{url}/api/dataValueSets", params=export_params(count))
    return len(json.loads(response.content)["dataValues"])


async def child(mode: str, url: str, user: str, password: str, count: int) -> tuple[int, float]:
    """One mode in this process: values moved and seconds, timed after the client is ready
    (the SDK's connect() and version import, or httpx's client, are outside the timing)."""
    if "sdk" in mode:
        async with Dhis2Client(url, auth=BasicAuth(user, password), timeout=600) as client:
            started = time.perf_counter()
            moved = await sdk_mode(mode, client, count)
            return moved, time.perf_counter() - started
    async with httpx.AsyncClient(auth=(user, password), timeout=600) as http:
        await http.get(f"{url}/api/system/info")  # the same warm connection as connect()
        started = time.perf_counter()
        moved = await raw_mode(mode, http, url, count)
        return moved, time.perf_counter() - started


def run_child(args: argparse.Namespace) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    moved, seconds = asyncio.run(child(args.child, args.url, args.user, args.password, args.values))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"moved": moved, "seconds": seconds, "before": before / 1024, "peak": peak / 1024}
        )
    )


def measure(mode: str, url: str, user: str, password: str, count: int) -> Json:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--url",
            url,
            "--user",
            user,
            "--password",
            password,
            "--values",
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = cast(Json, json.loads(done.stdout.strip().splitlines()[-1]))
    if result["moved"] != count:
        raise SystemExit(f"{mode} moved {result['moved']} values, not {count}: {done.stderr}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Streamed data values vs raw httpx, and memory.")
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--url")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    with tempfile.TemporaryDirectory(prefix="dhis2-sdk-bench-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        write_metadata(metadata)
        server = start_standin(SHARED / "v42", metadata=metadata, startup_timeout=60)
        try:
            best: dict[str, Json] = {}
            for _ in range(args.rounds):
                for mode in MODES:
                    if mode.startswith("import"):
                        server.reset()
                    result = measure(
                        mode, server.base_url, server.username, server.password, args.values
                    )
                    seconds = cast(float, result["seconds"])
                    if mode not in best or seconds < cast(float, best[mode]["seconds"]):
                        best[mode] = result
        finally:
            server.stop()
    print(f"\n{args.values} data values through a v42 stand-in, best of {args.rounds} rounds")
    print(f"{'mode':<12}{'values/s':>12}{'seconds':>10}{'RSS before':>12}{'peak RSS':>10}  MiB")
    for mode, result in best.items():
        seconds = cast(float, result["seconds"])
        print(
            f"{mode:<12}{args.values / seconds:>12.0f}{seconds:>10.2f}"
            f"{cast(float, result['before']):>12.1f}{cast(float, result['peak']):>10.1f}"
        )
    json_sdk, csv_sdk = best["export sdk"], best["export sdk csv"]
    ratio = cast(float, csv_sdk["seconds"]) / cast(float, json_sdk["seconds"])
    print(f"typed JSON export at {ratio:.2f}x the speed of the typed CSV export")
    for kind in ("import", "export"):
        sdk, raw = best[f"{kind} sdk"], best[f"{kind} raw"]
        speed = cast(float, raw["seconds"]) / cast(float, sdk["seconds"])
        memory = cast(float, sdk["peak"]) / cast(float, raw["peak"])
        print(f"{kind}: SDK at {speed:.2f}x raw httpx speed, {memory:.2f}x its peak RSS")


if __name__ == "__main__":
    main()
