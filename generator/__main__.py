"""``python -m generator``: run the command line (see :mod:`generator.cli`)."""

from generator.cli import main

raise SystemExit(main())
