"""What a result's `availability` records say, in the page's words: one row per attempt
(initcompat.probe.availability: TF_USE_LEGACY_KERAS=1 without tf_keras, in TF >= 2.16; the
attempts run in one process in order, so the layer build shows what a retry raises: ImportError
the first time, RecursionError after). The page's availability lines and cells.csv's
availability rows both come from here, so they say the same thing. Pure.
"""

from __future__ import annotations

from initcompat.report.describe import one_line

# cells.csv's `record` column: a weight of a layer (frame.cells_frame's rows) or one attempt
# of an availability record (these rows).
RECORD_WEIGHT = "weight"
RECORD_AVAILABILITY = "availability"


def attempt_text(entry: dict, retried: bool) -> tuple[str, str]:
    """(text, status) of one attempt: 'works', 'raises ImportError: ...' (with '(tried again
    after the first failure)' when an earlier attempt of its family failed), or 'could not be
    measured (...)' when the child measuring it failed."""
    if entry.get("status") == "ok":
        return "works", "ok"
    detail = f"{entry.get('error_type') or 'an error'}: {one_line(entry.get('reason'), 120)}"
    if entry.get("status") != "unavailable":
        return f"could not be measured ({detail})", "error"
    return f"raises {detail}" + (" (tried again after the first failure)" if retried else ""), \
        "unavailable"


def _entries(result: dict) -> list[dict]:
    return [entry for entry in result.get("availability") or []
            if isinstance(entry, dict) and isinstance(entry.get("api_family"), str)
            and isinstance(entry.get("target"), str)]


def _attempt(entry: dict) -> int:
    return entry["attempt"] if isinstance(entry.get("attempt"), int) else 0


def attempts(result: dict) -> list[dict]:
    """One dict per availability attempt of a result, in its order: {"api_family",
    "legacy_keras", "case", "target", "attempt", "status", "error_type", "reason", "retried",
    "text", "text_status"}."""
    entries = _entries(result)
    rows = []
    for entry in entries:
        attempt = _attempt(entry)
        retried = any(other.get("api_family") == entry["api_family"]
                      and other.get("status") != "ok" and isinstance(other.get("attempt"), int)
                      and other["attempt"] < attempt for other in entries)
        text, text_status = attempt_text(entry, retried)
        rows.append({"api_family": entry["api_family"],
                     "legacy_keras": bool(entry.get("legacy_keras")),
                     "case": str(entry.get("case") or ""), "target": entry["target"],
                     "attempt": attempt if isinstance(entry.get("attempt"), int) else None,
                     "status": entry.get("status"), "error_type": entry.get("error_type"),
                     "reason": entry.get("reason"), "retried": retried, "text": text,
                     "text_status": text_status})
    return rows
