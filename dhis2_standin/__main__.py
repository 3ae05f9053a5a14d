"""``python -m dhis2_standin``: see :mod:`dhis2_standin.cli`."""

from __future__ import annotations

import sys

from dhis2_standin.cli import main

sys.exit(main())
