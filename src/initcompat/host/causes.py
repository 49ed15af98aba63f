"""Why an installer or a process failed, in one line: a fault outside the release (the package
index unreachable, disk full, the installer killed) told apart from the release's own reason
(no version, no wheel for the Python, a resolver conflict), and the last line of a process's
output that says what went wrong. Host side; stdlib only.
"""

from __future__ import annotations

import re


# A fault outside the release, recognized in the installer's output (uv's and pip's wording):
# (lowercase text, the cause recorded). Anything else (no version, no wheel for the Python, a
# resolver conflict) is the release's own: install-failed.
TRANSIENT_MARKERS = (
    ("connection refused", "package index unreachable: Connection refused"),
    ("failed to lookup address", "package index unreachable: name lookup failed"),
    ("dns error", "package index unreachable: name lookup failed"),
    ("name or service not known", "package index unreachable: name lookup failed"),
    ("temporary failure in name resolution", "package index unreachable: name lookup failed"),
    ("network is unreachable", "package index unreachable: network unreachable"),
    ("connection reset", "package index unreachable: connection reset"),
    ("operation timed out", "package index unreachable: timed out"),
    ("read timed out", "package index unreachable: timed out"),
    ("connecttimeout", "package index unreachable: timed out"),
    ("server error (5", "package index failed: server error"),
    ("503 service unavailable", "package index failed: server error"),
    ("no space left on device", "disk full: No space left on device"),
)
def transient_cause(output: str, returncode: int | None = None) -> str | None:
    """The one-line cause when the installer failed for a reason outside the release, else None."""
    if returncode is not None and returncode < 0:
        return f"installer killed by signal {-returncode}"
    lowered = output.lower()
    for marker, cause in TRANSIENT_MARKERS:
        if marker in lowered:
            return cause
    return None


_DECORATION = re.compile(r"^(?:[\s\u2500-\u257f\u25b6\u2192>|-]*)(?:cause:|caused by:|error:|"
                         r"ERROR:)?\s*", re.IGNORECASE)


def last_line(output: str) -> str:
    """The cause's last line of an installer's output, as one line: the resolver's reason
    ("Because tensorflow==1.5.1 has no wheels with a matching Python ABI tag ...") where it gave
    one, else the last line that is not a hint or the command."""
    lines = [_DECORATION.sub("", line).strip() for line in output.splitlines()]
    lines = [line for line in lines if line and not line.startswith(("hint:", "$ "))]
    reasons = [line for line in lines if line.startswith("Because ")]
    chosen = (reasons or lines or ["no output"])[-1]
    return " ".join(chosen.split())[:400]


def last_cause(tail: str | None) -> str | None:
    """The last line of a process's output that says what went wrong (a traceback's exception
    line), progress lines aside; None when there is none."""
    for line in reversed((tail or "").splitlines()):
        line = line.strip()
        if line and not line.startswith(("initcompat ", "Traceback ")):
            return " ".join(line.split())[:400]
    return None
