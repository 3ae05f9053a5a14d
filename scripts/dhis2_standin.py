"""Start the DHIS2 stand-in test server: ``python scripts/dhis2_standin.py --data DIR --port 0``.

Prints ``http://127.0.0.1:PORT`` on stdout once it accepts connections. See ``dhis2_standin``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dhis2_standin.cli import main

if __name__ == "__main__":
    sys.exit(main())
