"""The crossed-environment file (issue 31): NAME.STEP.crossed.json, one per attribution run.

An attribution run builds an environment from the older environment's resolved lock with one
candidate package (or a group that only moves together: jax with jaxlib) moved to the newer
environment's version, reruns the one measurement step that showed a change, and keeps the
draws' fingerprints. Its one writer is initcompat.host.crossed; the report's loader validates it
here and keeps it apart from the environments (report/causes.py compares its draws with both
ends'). Stdlib and the probe's schema only (the host imports it without the report's
dependencies).

  {"schema_version": 2, "kind": "crossed", "env": {"name": "keras-3.8-jax+jax+jaxlib"},
   "older": "keras-3.8-jax", "newer": "keras-3.9-jax", "step": "seeding" | "probe",
   "base": "older" (the older lock, the candidate moved up) | "newer" (the newer lock, the
           candidate moved back: what pinning it keeps; absent in the first files: "older"),
   "moved": [["jax", "0.4.38", "0.5.3"], ...],  the candidate's moves (name, older, newer)
   "status": "measured" | "refused" | "failed",
   "reason": None, or why not ("could not isolate": the resolver's line; the step's failure),
   "lock": the crossed environment's own lock, "draws": {draw key: sha256},
   "seconds": {"install": s, "step": s}, "inputs": sha256 of what decided it, "measured_at"}

Draw keys (draw_fingerprints): a seeding record's "family|method|target", a probe cell's
"api_family|legacy|layer_kind|weight_role"; only draws that repeat (reproducible) are kept.
"""

from __future__ import annotations

from initcompat.probe import schema
from initcompat.probe.validation import SchemaError, check_fields, check_header

KIND_CROSSED = "crossed"
SUFFIX = ".crossed.json"
MEASURED, REFUSED, FAILED = "measured", "refused", "failed"
STATUSES = (MEASURED, REFUSED, FAILED)
STEPS = ("seeding", "probe")
BASES = ("older", "newer")
SEPARATOR = "|"
MAX_DRAWS = 20000
_HEX = frozenset("0123456789abcdef")


def file_name(name: str, step: str) -> str:
    """'keras-3.8-jax+jax+jaxlib', 'seeding' -> 'keras-3.8-jax+jax+jaxlib.seeding.crossed.json'
    (one file per crossed environment and step)."""
    return f"{name}.{step}{SUFFIX}"


def crossed_name(base: str, group, back: bool = False) -> str:
    """The crossed environment's name: its base environment's with the moved packages
    ('keras-3.8-jax+jax+jaxlib'); moved back to the older versions in the newer environment:
    'keras-3.9-jax+old-jax+jaxlib'."""
    return base + ("+old-" if back else "+") + "+".join(group)


def draw_fingerprints(document: dict | None, step: str) -> dict[str, str]:
    """{draw key: sha256} of the draws that repeat in a step's file: a seeding file's
    reproducible records, a probe result's cells whose seeded draws repeat. {} for anything
    else (no file, another shape)."""
    found: dict[str, str] = {}
    if not isinstance(document, dict):
        return found
    if step == "seeding":
        for record in document.get("records") or []:
            if isinstance(record, dict) and record.get("status") == schema.SEED_REPRODUCIBLE \
                    and isinstance(record.get("sha256"), str):
                key = SEPARATOR.join(str(record.get(part)) for part in ("family", "method",
                                                                          "target"))
                found[key] = record["sha256"]
        return found
    for cell in document.get("cells") or []:
        seeded = cell.get("seeded") if isinstance(cell, dict) else None
        if isinstance(seeded, dict) and isinstance(seeded.get("sha256"), str) \
                and not seeded.get("error") and seeded.get("repeats_in_process") is True:
            key = SEPARATOR.join(str(cell.get(part)) for part in (
                "api_family", "legacy_keras", "layer_kind", "weight_role"))
            found[key] = seeded["sha256"]
    return found


def crossed_record(name: str, older: str, newer: str, step: str, moved: list, status: str,
                   reason: str | None, lock: list, draws: dict, seconds: dict, inputs: str,
                   measured_at: str, base: str = "older") -> dict:
    """The document host.crossed writes."""
    return {"schema_version": schema.SCHEMA_VERSION, "kind": KIND_CROSSED, "env": {"name": name},
            "older": older, "newer": newer, "step": step, "base": base,
            "moved": [list(move) for move in moved], "status": status, "reason": reason,
            "lock": list(lock), "draws": dict(draws), "seconds": dict(seconds),
            "inputs": inputs, "measured_at": measured_at}


FIELDS = {"older": (str,), "newer": (str,), "step": (str,), "moved": (list,), "status": (str,),
          "reason": (str, type(None)), "lock": (list,), "draws": (dict,), "seconds": (dict,),
          "inputs": (str,), "measured_at": (str,)}


def validate_crossed(document) -> None:
    """SchemaError naming the field unless `document` is a crossed file as written."""
    check_header(document, KIND_CROSSED)
    check_fields(document, FIELDS, KIND_CROSSED)
    if document["step"] not in STEPS:
        raise SchemaError("crossed: step %r is not one of %s"
                          % (document["step"], ", ".join(STEPS)))
    if document.get("base", "older") not in BASES:
        raise SchemaError("crossed: base %r is not one of %s"
                          % (document.get("base"), ", ".join(BASES)))
    if document["status"] not in STATUSES:
        raise SchemaError("crossed: status %r is not one of %s"
                          % (document["status"], ", ".join(STATUSES)))
    if not document["older"] or not document["newer"] or document["older"] == document["newer"]:
        raise SchemaError("crossed: older and newer must be two environments")
    if not document["moved"]:
        raise SchemaError("crossed: moved names no package")
    for index, move in enumerate(document["moved"]):
        if not isinstance(move, list) or len(move) != 3 or not isinstance(move[0], str) \
                or not move[0] or not all(isinstance(v, (str, type(None))) for v in move[1:]):
            raise SchemaError("crossed.moved[%d]: expected [name, older version, newer version]"
                              % index)
    for index, line in enumerate(document["lock"]):
        if not isinstance(line, str):
            raise SchemaError("crossed.lock[%d]: expected text" % index)
    if len(document["draws"]) > MAX_DRAWS:
        raise SchemaError("crossed.draws: more than %d draws" % MAX_DRAWS)
    for key, digest in document["draws"].items():
        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
            raise SchemaError("crossed.draws[%r]: expected a sha256 in hex" % key[:80])
    for key, value in document["seconds"].items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e7:
            raise SchemaError("crossed.seconds[%r]: expected seconds" % key[:80])
    if document["status"] != MEASURED and not document["reason"]:
        raise SchemaError("crossed: a %s run needs its reason" % document["status"])


def compare_draws(crossed: dict[str, str], older: dict[str, str],
                  newer: dict[str, str]) -> dict[str, int]:
    """How a crossed run's draws stand to both ends': of the draws both ends have and that differ
    between them ("changed"), how many the crossed run drew as the newer end did ("as_newer"),
    as the older did ("as_older"); the rest it drew otherwise or not at all."""
    changed = [key for key in older if key in newer and older[key] != newer[key]]
    return {"changed": len(changed),
            "as_newer": sum(1 for key in changed if crossed.get(key) == newer[key]),
            "as_older": sum(1 for key in changed if crossed.get(key) == older[key])}
