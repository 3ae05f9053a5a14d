"""Typed accessors over a large collection: ``iterate()`` against raw ``get_page`` calls, and peak
memory of ``iterate()`` against one ``paging=False`` response of the same data.

Run: ``python benchmarks/resources_bench.py [--objects N] [--page-size P] [--rounds R]
[--import-runs I] [--rows FILE]`` (or ``nox -s bench -- resources_bench.py``). Starts a
stand-in serving N generated data elements (v42 schemas), then, in this process, walks every
page through
``client.resources.data_elements.iterate(page_size=P)`` and through a hand-written loop of
``client.get_page`` calls (the same requests, parsing and model), interleaved R times after the
same warm-up, and prints objects per second and the overhead of the accessor. Peak RSS is taken
in fresh subprocesses (one per mode: ``iterate`` and ``paging=False``), each importing the same
modules first, so only the data they hold differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated"):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

from _rows import Row, append_rows, paired_ratios, spread_of  # noqa: E402

from dhis2_sdk import PatAuth, generate_uid  # noqa: E402
from dhis2_sdk.v42 import DataElement, Dhis2Client  # noqa: E402
from dhis2_standin.launcher import RunningStandin, start_standin  # noqa: E402

SHARED = Path(os.environ.get("DHIS2_SHARED_DIR", ROOT.parent / "shared" / "dhis2"))
DATA = SHARED / "v42"
FIELDS = "id,name,shortName,valueType,aggregationType,domainType"


def write_metadata(path: Path, objects: int) -> None:
    """``objects`` data elements as an ``/api/metadata`` document."""
    elements = [
        {
            "id": generate_uid(),
            "name": f"Element {i:06d}",
            "shortName": f"E{i:06d}",
            "valueType": "NUMBER",
            "aggregationType": "SUM",
            "domainType": "AGGREGATE",
        }
        for i in range(objects)
    ]
    path.write_text(json.dumps({"dataElements": elements}), encoding="utf-8")


async def walk_accessor(client: Dhis2Client, page_size: int) -> int:
    count = 0
    async for _element in client.resources.data_elements.iterate(
        fields=FIELDS, page_size=page_size
    ):
        count += 1
    return count


async def walk_raw(client: Dhis2Client, page_size: int) -> int:
    count, number = 0, 1
    while True:
        params = {"fields": FIELDS, "page": number, "pageSize": page_size}
        page = await client.get_page("/api/dataElements", model=DataElement, params=params)
        for _element in page.items:  # a consumer touches each object, as with iterate()
            count += 1
        if not page.has_next:
            return count
        number += 1


async def throughput(server: RunningStandin, objects: int, page_size: int, rounds: int) -> None:
    async with Dhis2Client(server.base_url, auth=PatAuth(server.pat)) as client:
        modes = {
            "client.resources...iterate()": walk_accessor,
            "raw client.get_page loop": walk_raw,
        }
        for walk in modes.values():  # the same warm-up: one page each, pool and validators ready
            await client.get_page("/api/dataElements", model=DataElement, params={"pageSize": 1})
            await walk(client, page_size)  # one full pass, discarded
        best = dict.fromkeys(modes, 0.0)
        for _ in range(rounds):
            for name, walk in modes.items():
                started = time.perf_counter()
                assert await walk(client, page_size) == objects
                best[name] = max(best[name], objects / (time.perf_counter() - started))
    raw, accessor = best["raw client.get_page loop"], best["client.resources...iterate()"]
    print(f"\n{objects} objects in pages of {page_size}, best of {rounds} rounds")
    for name, rate in best.items():
        print(f"{name:<32}{rate:>12.0f} objects/s")
    print(
        f"accessor overhead vs raw get_page: {100 * (raw / accessor - 1):+.1f} %  (target <= 10 %)"
    )


def peak_rss_child(base_url: str, pat: str, mode: str, page_size: int) -> None:
    """In a fresh process: walk the collection one way, print peak RSS in MiB."""

    async def main() -> int:
        async with Dhis2Client(base_url, auth=PatAuth(pat)) as client:
            elements = client.resources.data_elements
            await elements.list(fields=FIELDS, page_size=1)  # same imports and validators
            if mode == "iterate":
                return sum([1 async for _ in elements.iterate(fields=FIELDS, page_size=page_size)])
            return len((await elements.list(fields=FIELDS, paging=False)).items)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = asyncio.run(main())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"count": count, "before": before / 1024, "after": after / 1024}))


def peak_rss(server: RunningStandin, objects: int, page_size: int, rounds: int) -> list[Row]:
    """Peak RSS of ``iterate()`` vs one ``paging=False`` response, in fresh processes; the row
    compares what each adds above the same imports ('before'), paired per round."""
    print("\npeak RSS (fresh process per mode, MiB; 'before' = after imports)")
    growth: dict[str, list[float]] = {"iterate": [], "paging=False": []}
    peaks: dict[str, list[float]] = {"iterate": [], "paging=False": []}
    for _ in range(rounds):
        for mode in growth:
            command = [sys.executable, __file__, "--child", mode, "--page-size", str(page_size)]
            command += ["--url", server.base_url, "--pat", server.pat]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{mode:<14} {result['count']:>8} objects  before {result['before']:7.1f}"
                f"  peak {result['after']:7.1f}"
            )
            growth[mode].append(max(result["after"] - result["before"], 0.1))
            peaks[mode].append(result["after"])
    ratios = paired_ratios(growth["iterate"], growth["paging=False"])
    return [
        Row(
            "iterate() peak memory vs one unpaged (paging=false) response",
            statistics.median(ratios),
            spread_of(ratios, "rounds"),
            f"{objects} v42 data elements from the stand-in ({FIELDS}), pages of {page_size}",
            f"MiB above the same imports: {statistics.median(growth['iterate']):.1f} vs "
            f"{statistics.median(growth['paging=False']):.1f} (peak RSS "
            f"{statistics.median(peaks['iterate']):.0f} vs "
            f"{statistics.median(peaks['paging=False']):.0f})",
        )
    ]


_IMPORT_PROBES = {
    "pydantic + a 1-field model (floor)": (
        "import pydantic\nclass M(pydantic.BaseModel):\n    a: int | None = None\n"
        "M.model_validate({})"
    ),
    "import dhis2_sdk.v42": "import dhis2_sdk.v42",
    "+ Dhis2Client(...).resources": (
        "from dhis2_sdk.v42 import Dhis2Client\nDhis2Client('http://127.0.0.1:9').resources"
    ),
    "+ .resources.data_elements": (
        "from dhis2_sdk.v42 import Dhis2Client\n"
        "Dhis2Client('http://127.0.0.1:9').resources.data_elements.model.model_validate({})"
    ),
}


def import_cost(runs: int = 9) -> None:
    """Fresh-interpreter cost of each probe (median of ``runs``), interleaved."""
    timer = "import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "generated")}
    samples: dict[str, list[float]] = {name: [] for name in _IMPORT_PROBES}
    for _ in range(runs):
        for name, code in _IMPORT_PROBES.items():
            done = subprocess.run(
                [sys.executable, "-c", timer.format(code=code)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            samples[name].append(float(done.stdout))
    floor = sorted(samples[next(iter(samples))])[runs // 2]
    print(f"\nimport cost (fresh interpreter, median of {runs})")
    for name, values in samples.items():
        value = sorted(values)[runs // 2]
        print(f"{name:<38}{1000 * value:8.1f} ms  {value / floor:5.2f}x floor")


def main() -> None:
    parser = argparse.ArgumentParser(description="Accessor iterate() vs raw pages, and memory.")
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["iterate", "paging=False"])
    parser.add_argument("--imports-only", action="store_true", help="only the import costs")
    parser.add_argument("--url")
    parser.add_argument("--pat")
    parser.add_argument("--import-runs", type=int, default=9, help="fresh processes per probe")
    parser.add_argument("--rows", type=Path, help="append one JSON line per comparison here")
    args = parser.parse_args()
    if args.child:
        peak_rss_child(args.url, args.pat, args.child, args.page_size)
        return
    import_cost(args.import_runs)
    if args.imports_only:
        return
    with tempfile.TemporaryDirectory(prefix="dhis2-sdk-bench-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        write_metadata(metadata, args.objects)
        started = time.perf_counter()
        server = start_standin(DATA, metadata=metadata)
        elapsed = time.perf_counter() - started
        print(f"stand-in with {args.objects} data elements up in {elapsed:.1f} s")
        try:
            asyncio.run(throughput(server, args.objects, args.page_size, args.rounds))
            append_rows(args.rows, peak_rss(server, args.objects, args.page_size, args.rounds))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
