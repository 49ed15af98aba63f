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
    lowered = " ".join(output.split()).lower()  # a phrase wrapped over two lines still matches
    for marker, cause in TRANSIENT_MARKERS:
        if marker in lowered:
            return cause
    return None


_DECORATION = re.compile(r"^(?:[\s\u2500-\u257f\u25b6\u2192>|-]*)(?:cause:|caused by:|error:|"
                         r"ERROR:)?\s*", re.IGNORECASE)
# The start of a message of its own; any other indented line continues the one before it (uv
# wraps its causes at the terminal's width, $COLUMNS).
_STARTS = re.compile(r"^(?:\S|\s*(?:cause:|caused by:|error:|hint:|[\u2500-\u257f\u25b6\u00d7]))",
                     re.IGNORECASE)


def _messages(output: str) -> list[str]:
    """The installer's messages, each on one line: wrapped lines joined, decoration off."""
    messages: list[str] = []
    for line in output.splitlines():
        if not line.strip():
            messages.append("")
        elif messages and messages[-1] and not _STARTS.match(line):
            messages[-1] += " " + line.strip()
        else:
            messages.append(_DECORATION.sub("", line).strip())
    return [" ".join(message.split()) for message in messages if message]


def last_line(output: str) -> str:
    """The cause's last line of an installer's output, as one line: the resolver's reason
    ("Because tensorflow==1.5.1 has no wheels with a matching Python ABI tag ...") where it gave
    one, else the last message that is not a hint or the command."""
    lines = [line for line in _messages(output) if not line.startswith(("hint:", "$ "))]
    reasons = [line for line in lines if line.startswith("Because ")]
    return (reasons or lines or ["no output"])[-1][:400]


def last_cause(tail: str | None) -> str | None:
    """The last line of a process's output that says what went wrong (a traceback's exception
    line), progress lines aside; None when there is none."""
    for line in reversed((tail or "").splitlines()):
        line = line.strip()
        if line and not line.startswith(("initcompat ", "Traceback ")):
            return " ".join(line.split())[:400]
    return None
