"""`python -m tests.bench`: run every benchmark row and print the table."""

import sys

from tests.bench.run import main

sys.exit(main())
