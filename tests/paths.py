"""Where the tests find the project and the recorded DHIS2 responses.

``../shared/dhis2`` beside the checkout (CI lays a copy there); ``DHIS2_SHARED_DIR`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DHIS2 = Path(os.environ.get("DHIS2_SHARED_DIR", REPO_ROOT.parent / "shared" / "dhis2"))
GENERATED = REPO_ROOT / "generated"
SCHEMAS = REPO_ROOT / "schemas"
VERSIONS = ("v41", "v42", "v43")
