"""``python -m bond_default.report``: see :mod:`bond_default.report.build`."""

import sys

from bond_default.report.build import main

sys.exit(main())
