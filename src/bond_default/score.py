"""``python -m bond_default.score MODEL FILE``: score new bonds with a logged model.

The command's code is :mod:`bond_default.serve.score`; this module keeps its name on the
command line.
"""

import sys

from bond_default.serve.score import main

if __name__ == "__main__":
    sys.exit(main())
