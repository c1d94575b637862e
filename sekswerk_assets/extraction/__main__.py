"""``python -m sekswerk_assets.extraction predict|evaluate ...`` (see :mod:`sekswerk_assets.extraction.cli`)."""

import sys

from sekswerk_assets.extraction.cli import main

sys.exit(main())
