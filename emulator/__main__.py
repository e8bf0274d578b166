"""`python -m emulator` is the `invent-emulator` command."""

import sys

from emulator.cli import main

sys.exit(main())
