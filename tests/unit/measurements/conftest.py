"""The measurements' tests mirror src/initcompat/measurements/NAME/; they share tests/unit's
helpers (test_report, check_sets), importable from here as from tests/unit."""

import sys
from pathlib import Path

UNIT = Path(__file__).resolve().parents[1]
if str(UNIT) not in sys.path:
    sys.path.insert(0, str(UNIT))
