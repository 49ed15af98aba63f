"""The seeding records of each environment keyed by (family, method, target), their byte groups
(per method, reproducible records with the same sha256 share a letter), the HTML ids of the
section's rows and family headings, and the page's words and classes for each status. Pure.
"""

from __future__ import annotations

import string

from initcompat.probe import schema


# The page's short class and text of each status; a reproducible record shows its group letter.
STATUS_CLASS = {schema.SEED_REPRODUCIBLE: "rp", schema.SEED_NOT_REPRODUCIBLE: "nr",
                schema.SEED_UNAVAILABLE: "na", schema.SEED_ERROR: "er"}
STATUS_TEXT = {schema.SEED_NOT_REPRODUCIBLE: "no", schema.SEED_UNAVAILABLE: "—",
               schema.SEED_ERROR: "error"}
NOT_MEASURED = "not measured"
SHA_DIGITS = 16
# The record fields reports/seeding.csv carries (outputs.SEEDING_COLUMNS orders its columns).
RECORD_COLUMNS = ("family", "method", "target", "status", "cross_process_identical",
                  "repeat_identical", "sha256", "first_values", "warning", "calls_identical",
                  "sha256_repeat", "sha256_other_process", "seed", "initializer", "call",
                  "reason", "error_type")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text)


def row_id(family: str, method: str, target: str) -> str:
    """The HTML id of a table row (timeline events link to it)."""
    return "sd-" + _slug(f"{family}-{method}-{target}")


def family_id(family: str) -> str:
    """The HTML id of a family's heading (its family-wide events link to it)."""
    return "sd-family-" + _slug(family)


def records_of(result: dict) -> dict[tuple, dict]:
    seeding = result.get("seeding") or {}
    found = {}
    for record in seeding.get("records") or []:
        found.setdefault((record["family"], record["method"], record["target"]), record)
    return found


def ordered(keys, order: tuple) -> list:
    """`keys` in the order of `order`, others after them in first-seen order."""
    rank = {name: index for index, name in enumerate(order)}
    seen = list(dict.fromkeys(keys))
    return sorted(seen, key=lambda k: (rank.get(k, len(order)), seen.index(k)))


def byte_groups(envs: list[dict], records: dict[str, dict]) -> dict[tuple, str]:
    """(env, family, method, target) -> letter: per method, reproducible records with the same
    sha256 share a letter (first seen in version, family and target order gets A)."""
    letters: dict[str, dict[str, str]] = {}
    groups = {}
    for env in envs:
        for key, record in records[env["name"]].items():
            if record["status"] != schema.SEED_REPRODUCIBLE or not record.get("sha256"):
                continue
            seen = letters.setdefault(key[1], {})
            if record["sha256"] not in seen:
                index = len(seen)
                seen[record["sha256"]] = string.ascii_uppercase[index % 26] + (
                    "" if index < 26 else str(index // 26))
            groups[(env["name"],) + key] = seen[record["sha256"]]
    return groups


def env_line(env: dict) -> str:
    return env.get("line") or "tensorflow"
