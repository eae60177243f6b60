"""``python -m experiments.cli``: the ``isohybrid`` command."""

import sys

from experiments.cli import main

sys.exit(main())
