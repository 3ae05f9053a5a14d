"""``python -m generator``: run the command line (see :mod:`generator.cli`)."""

from generator.devenv import GENERATOR_MODULES, require

require("python -m generator", GENERATOR_MODULES)

from generator.cli import main  # noqa: E402 - only once the dependencies are known to be there

raise SystemExit(main())
