"""Results of one suite at a time: the page, `diff` and the baseline gate compare a result only
with results of the same suite (as a variant only with its own version).

Every loaded result's `env.suite` is the identity of the suite it measured ({"file", "sha256"},
initcompat.report.load); two results are of the same suite when their hashes are equal. On the
page, an environment that measured nothing (not ok: skipped, install-failed, not-measured, a
crash) or records no suite goes with any suite: its failure is shown whichever suite is. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema

LISTED_NAMES = 8  # environment names a note lists before "and N more"


@dataclass(frozen=True)
class Partition:
    """The results the page shows (one suite, and the results without one), the ones left out,
    and the lines that say so."""

    shown: list[dict]
    left_out: list[dict]
    suite: dict | None  # the identity of the suite shown (None: no result records one)
    note: str | None    # the page's line: which suite it shows, what it left out


def suite_key(result: dict) -> str | None:
    """The hash of the suite a result measured, or None when it records none."""
    identity = result["env"].get("suite")
    return identity["sha256"] if identity else None


def is_default(identity: dict | None) -> bool:
    """True for the shipped suite (suites/default.json) or no recorded suite."""
    return identity is None or identity.get("file") == schema.DEFAULT_SUITE_FILE


def suite_label(identity: dict | None) -> str:
    """'my.json (sha256 1a2b3c4d5e6f)'."""
    if identity is None:
        return "no recorded suite"
    return f"{identity['file']} (sha256 {identity['sha256'][:12]})"


def _names(results: list[dict]) -> str:
    names = [result["env"]["name"] for result in results]
    shown = ", ".join(names[:LISTED_NAMES])
    return shown + (f" and {len(names) - LISTED_NAMES} more" if len(names) > LISTED_NAMES else "")


def measured_key(result: dict) -> str | None:
    """The suite a result's measurements are of: suite_key for an ok result, else None."""
    return suite_key(result) if result.get("status") == schema.ENV_OK else None


def partition(results: list[dict], prefer: str | None = None) -> Partition:
    """Split `results` (in the page's order) by suite: the suite hashed `prefer` when given
    and present, else the one most environments measured (ties: the default suite, then the
    first in order) is shown, with every result that measured nothing (measured_key None)."""
    groups: dict[str, list[dict]] = {}
    identities: dict[str, dict] = {}
    for result in results:
        key = measured_key(result)
        if key is not None:
            groups.setdefault(key, []).append(result)
            identities.setdefault(key, result["env"]["suite"])
    if not groups:
        return Partition(list(results), [], None, None)
    order = list(groups)
    if prefer in groups:
        chosen = prefer
    else:
        chosen = min(order, key=lambda key: (-len(groups[key]), not is_default(identities[key]),
                                             order.index(key)))
    shown = [r for r in results if measured_key(r) in (chosen, None)]
    left_out = [r for r in results if measured_key(r) not in (chosen, None)]
    return Partition(shown, left_out, identities[chosen],
                     suites_note(identities[chosen], groups, identities, chosen))


def suites_note(shown: dict, groups: dict[str, list[dict]], identities: dict[str, dict],
                chosen: str) -> str | None:
    """One line: the suite shown when it is not the default, and the results of other suites
    left out (which environments, which suites); None when there is nothing to say."""
    sentences = []
    if not is_default(shown):
        sentences.append(f"These results measured the suite {suite_label(shown)}, not the "
                         f"shipped default ({schema.DEFAULT_SUITE_FILE}).")
    others = [key for key in groups if key != chosen]
    if others:
        left = "; ".join(f"{suite_label(identities[key])}: {_names(groups[key])}"
                         for key in others)
        sentences.append(f"This results folder mixes {len(groups)} suites; the page compares "
                         f"only the {len(groups[chosen])} environment"
                         f"{'' if len(groups[chosen]) == 1 else 's'} that measured "
                         f"{suite_label(shown)} and leaves out those of another suite "
                         f"({left}): results of different suites are never compared.")
    return " ".join(sentences) or None
