"""Schema drift: do the pinned snapshots still match the server they describe?

    python scripts/schema_drift.py [v42 ...]

With ``DHIS2_URL`` set (and ``DHIS2_USERNAME``/``DHIS2_PASSWORD`` or ``DHIS2_PAT``), pulls that live
DHIS2 and compares it with the pinned snapshot of its version (``schemas/vNN.json``): the real
check, for a server started from the image tag in ``schemas/pins.json`` (see ``compose/``).
Without it, serves each recorded dump in ``../shared/dhis2/vNN`` over HTTP with the local stand-in
and checks the pull path end to end. Exit status 1 on drift; 2 when the server cannot be read
(bad credentials, no server), with the message ``python -m generator drift`` prints.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dhis2_standin.launcher import start_standin  # noqa: E402
from generator.cli import credentials, report_error  # noqa: E402
from generator.cli import main as generator_main  # noqa: E402
from generator.errors import GeneratorError  # noqa: E402
from generator.pull import fetch_system_info, version_key  # noqa: E402

SHARED = Path(os.environ.get("DHIS2_SHARED_DIR", ROOT.parent / "shared" / "dhis2"))


def _pinned_versions() -> list[str]:
    pins = json.loads((ROOT / "schemas" / "pins.json").read_text(encoding="utf-8"))
    return sorted(pins)


def _live(url: str, wanted: list[str]) -> int:
    try:
        info = fetch_system_info(url, credentials())
        key = version_key(str(info.get("version")))
    except GeneratorError as exc:  # bad credentials, no server: as `python -m generator drift`
        return report_error(exc)
    if wanted and key not in wanted:
        print(f"{url} runs {key}, not one of {wanted}")
        return 1
    return generator_main(["drift", "--url", url, "--snapshot", f"schemas/{key}.json"])


def _recorded(wanted: list[str]) -> int:
    status = 0
    for key in wanted or _pinned_versions():
        server = start_standin(SHARED / key)
        try:
            args = ["drift", "--url", server.base_url, "--username", server.username]
            args += ["--password", server.password, "--snapshot", f"schemas/{key}.json"]
            status = max(status, generator_main(args))
        finally:
            server.stop()
    return status


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    url = os.environ.get("DHIS2_URL")
    return _live(url, argv) if url else _recorded(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
