"""Start the DHIS2 stand-in test server: ``python scripts/dhis2_standin.py --data DIR --port 0``.

Prints ``http://127.0.0.1:PORT`` on stdout once it accepts connections. See ``dhis2_standin``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.devenv import STANDIN_MODULES, require

require("scripts/dhis2_standin.py", STANDIN_MODULES)

from dhis2_standin.cli import main  # noqa: E402 - only once the dependencies are known to be there

if __name__ == "__main__":
    sys.exit(main())
