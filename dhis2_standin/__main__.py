"""``python -m dhis2_standin``: see :mod:`dhis2_standin.cli`."""

from __future__ import annotations

import sys

from generator.devenv import STANDIN_MODULES, require

require("python -m dhis2_standin", STANDIN_MODULES)

from dhis2_standin.cli import main  # noqa: E402 - only once the dependencies are known to be there

sys.exit(main())
