"""Every change names its cause (issue 31): what moved between two environments, and which
move did it where the attribution runs measured it.

For any two environments: the packages that moved between their resolved locks (report/locks.py,
one short line). For a change whose attribution runs are loaded (NAME.STEP.crossed.json,
report/crossed_file.py, written by host/crossed.py): each run's draws against both ends' draws
of the same step, and the verdict:

  attributed         one candidate's move (jax with jaxlib) gives the newer end's draws on
                     every step run, and every other candidate that could be moved alone keeps
                     the older end's: "caused by jax 0.4.38 → 0.5.3 (...)"
  could not isolate  no candidate could be moved alone (the resolver refused each): its line
  not attributed     runs exist, but no single move reproduces the change (or several do)
  not yet attributed several candidates moved and no run was made (`nox -t causes`)

A pin that keeps the old behaviour is offered only where a run verified it in the newer
environment: its lock with the cause moved back (base "newer") drew the older end's bytes for
every changed draw of every step run. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from initcompat.report import crossed_file
from initcompat.report.locks import candidate_groups, lock_diff, move_text, moved_text, parse_lock

ATTRIBUTED = "attributed"
NOT_ISOLATED = "could not isolate"
NOT_ATTRIBUTED = "not attributed"
NOT_YET = "not yet attributed"
STEP_WORDS = {"seeding": "seeding records", "probe": "seeded weights"}
REPRODUCES, KEEPS_OLD, PARTLY, NO_CHANGE = "reproduces", "keeps the old", "partly", "no change"


@dataclass(frozen=True)
class Run:
    """One crossed run, compared: which packages it moved, on which step, and what it drew."""

    name: str
    step: str
    group: tuple[str, ...]
    moved: list  # [(name, older version, newer version)]
    status: str  # crossed_file.MEASURED / REFUSED / FAILED
    reason: str | None
    counts: dict  # crossed_file.compare_draws, {} unless measured
    verdict: str  # REPRODUCES, KEEPS_OLD, PARTLY, NO_CHANGE; the status otherwise
    seconds: dict
    base: str = "older"  # the lock it started from: "older" (moved up) or "newer" (moved back)


@dataclass(frozen=True)
class Attribution:
    """The cause of one change between `older` and `newer` as far as the runs say."""

    older: str
    newer: str
    status: str  # ATTRIBUTED, NOT_ISOLATED, NOT_ATTRIBUTED, NOT_YET
    text: str  # the sentence the page, `diff` and the check command show
    cause: list = field(default_factory=list)  # the moves [(name, old, new)] when attributed
    runs: list = field(default_factory=list)
    keep: str = ""  # a pin verified in the newer environment, or ""


def locks_of(results) -> dict[str, dict[str, str]]:
    """{environment name: its parsed lock} for every result whose install recorded one."""
    found = {}
    for result in results:
        lock = parse_lock(((result.get("install") or {}).get("lock")))
        if lock:
            found[result["env"]["name"]] = lock
    return found


def moved_between(locks: dict[str, dict], first: str, second: str) -> str:
    """'packages that moved: keras 3.8.0 → 3.9.2, ... and 9 more', or '' without both locks."""
    if first not in locks or second not in locks or first == second:
        return ""
    return "packages that moved: " + moved_text(lock_diff(locks[first], locks[second]))


def _draws(result: dict | None, step: str) -> dict[str, str]:
    if result is None:
        return {}
    return crossed_file.draw_fingerprints(result if step == "probe" else result.get("seeding"),
                                          step)


def _verdict(counts: dict) -> str:
    if not counts["changed"]:
        return NO_CHANGE
    if counts["as_newer"] == counts["changed"]:
        return REPRODUCES
    if counts["as_older"] == counts["changed"]:
        return KEEPS_OLD
    return PARTLY


def compared_runs(documents, by_name: dict[str, dict]) -> dict[tuple[str, str], list[Run]]:
    """(older, newer) -> its runs, each compared with both ends' draws of its step."""
    runs: dict[tuple[str, str], list[Run]] = {}
    for document in documents:
        older, newer, step = document["older"], document["newer"], document["step"]
        moved = [tuple(move) for move in document["moved"]]
        counts, verdict = {}, document["status"]
        if document["status"] == crossed_file.MEASURED:
            counts = crossed_file.compare_draws(document["draws"], _draws(by_name.get(older), step),
                                                _draws(by_name.get(newer), step))
            verdict = _verdict(counts)
        runs.setdefault((older, newer), []).append(Run(
            document["env"]["name"], step, tuple(move[0] for move in moved), moved,
            document["status"], document["reason"], counts, verdict, document["seconds"],
            document.get("base", "older")))
    return runs


def _moves_text(moved) -> str:
    return ", ".join(move_text(*move) for move in moved)


def _by_group(runs: list[Run]) -> dict[tuple, list[Run]]:
    groups: dict[tuple, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.group, []).append(run)
    return groups


def _group_verdict(runs: list[Run]) -> str:
    """One candidate over its steps: refused or failed if any run was; REPRODUCES when every
    step with a change reproduces it, KEEPS_OLD when every one keeps the old draws."""
    for status in (crossed_file.REFUSED, crossed_file.FAILED):
        if any(run.status == status for run in runs):
            return status
    verdicts = {run.verdict for run in runs} - {NO_CHANGE}
    if not verdicts:
        return NO_CHANGE
    return verdicts.pop() if len(verdicts) == 1 else PARTLY


def refusal(reason: str | None) -> str:
    """The resolver's reason in short: 'Because tensorflow==2.15.1 depends on keras>=2.15.0,<2.16
    and you require keras==3.4.1, ...' -> 'tensorflow==2.15.1 depends on keras>=2.15.0,<2.16'."""
    text = (reason or "no reason given").removeprefix(NOT_ISOLATED + ": ")
    if text.startswith("Because ") and " and you require " in text:
        return text[len("Because "):].split(" and you require ")[0]
    return text


def _counts_text(runs: list[Run]) -> str:
    """'12 of 12 seeding records, 29 of 29 seeded weights' (the newer end's draws)."""
    return ", ".join(f"{run.counts['as_newer']} of {run.counts['changed']} "
                     f"{STEP_WORDS.get(run.step, run.step)}" for run in runs if run.counts)


def attribute(older: str, newer: str, runs: list[Run], labels: dict[str, str],
              candidates: list[tuple] | None = None) -> Attribution:
    """The verdict of one change from its runs (see the module doc)."""
    label = {name: labels.get(name, name) for name in (older, newer)}
    backward = [run for run in runs if run.base == "newer"]
    runs = [run for run in runs if run.base != "newer"]
    if not runs:
        if candidates is not None and len(candidates) < 2:
            return Attribution(older, newer, "", "")
        return Attribution(older, newer, NOT_YET, "not yet attributed: no attribution run "
                           "for this change")
    groups = _by_group(runs)
    verdicts = {group: _group_verdict(group_runs) for group, group_runs in groups.items()}
    refused = [group for group, verdict in verdicts.items() if verdict == crossed_file.REFUSED]
    reasons = "; ".join(dict.fromkeys(
        f"{_moves_text(run.moved)} alone: {refusal(run.reason)}" for group in refused
        for run in groups[group] if run.status == crossed_file.REFUSED))
    reproducing = [group for group, verdict in verdicts.items() if verdict == REPRODUCES]
    others = [group for group in groups if group not in reproducing and group not in refused]
    if len(reproducing) == 1 and all(verdicts[group] == KEEPS_OLD for group in others):
        cause_group = reproducing[0]
        cause = groups[cause_group][0].moved
        lead = cause[0]
        evidence = (f"{label[older]} with {lead[0]} {lead[2]} draws {label[newer]}'s "
                    f"{_counts_text(groups[cause_group])}")
        if others:
            evidence += "; with " + ", or ".join(
                _moves_text(groups[group][0].moved) + " alone" for group in others) + \
                " it draws its own"
        if refused:
            evidence += f"; could not be moved: {reasons}"
        return Attribution(older, newer, ATTRIBUTED, f"caused by {_moves_text(cause)} "
                           f"({evidence})", list(cause), runs + backward,
                           _keep(cause, [run for run in backward if run.group == cause_group],
                                 label[older], label[newer]))
    if refused and not others:
        text = f"could not isolate: {reasons}" if len(refused) == 1 else (
            f"could not isolate: {' and '.join(group[0] for group in refused)} only move "
            f"together ({reasons})")
        return Attribution(older, newer, NOT_ISOLATED, text, [], runs)
    tried = "; ".join(f"{_moves_text(groups[group][0].moved)}: "
                      + (_counts_text(groups[group]) if verdicts[group] != crossed_file.FAILED
                         else f"failed ({groups[group][0].reason})") for group in others)
    text = f"not attributed: no single move reproduces it ({tried}, of {label[newer]}'s draws)"
    if refused:
        text += f"; could not isolate: {reasons}"
    return Attribution(older, newer, NOT_ATTRIBUTED, text, [], runs)


def _keep(cause: list, backward: list[Run], older: str, newer: str) -> str:
    """'pin jax==0.4.38, jaxlib==0.4.38 (measured: Keras 3.9 · jax with them draws Keras 3.8 ·
    jax's 12 of 12 seeding records)' where every run moving the cause back in the newer lock drew
    the older end's bytes; else ''."""
    if not backward or any(run.verdict != KEEPS_OLD for run in backward):
        return ""
    counts = ", ".join(f"{run.counts['as_older']} of {run.counts['changed']} "
                       f"{STEP_WORDS.get(run.step, run.step)}" for run in backward)
    return (f"pin {', '.join(f'{name}=={old}' for name, old, _ in cause)} (measured: {newer} "
            f"with {'them' if len(cause) > 1 else 'it'} draws {older}'s {counts})")


def attributions(results, documents, labels: dict[str, str]) -> dict[tuple[str, str], Attribution]:
    """(older, newer) -> Attribution for every change some attribution run was made for."""
    by_name = {result["env"]["name"]: result for result in results}
    return {pair: attribute(pair[0], pair[1], runs, labels)
            for pair, runs in compared_runs(documents, by_name).items()
            if pair[0] in by_name and pair[1] in by_name}


def cause_of(found: dict[tuple[str, str], Attribution], locks: dict[str, dict], older: str,
             newer: str, labels: dict[str, str]) -> Attribution | None:
    """The attribution of the step older -> newer: its runs', else NOT_YET where several
    candidates moved; None where at most one did or a lock is missing."""
    if (older, newer) in found:
        return found[(older, newer)]
    if older not in locks or newer not in locks:
        return None
    candidates = candidate_groups(lock_diff(locks[older], locks[newer]))
    said = attribute(older, newer, [], labels, candidates)
    return said if said.status else None


@dataclass(frozen=True)
class Causes:
    """What the sections read: every environment's lock, the attributions found, the labels."""

    locks: dict  # environment name -> parsed lock
    found: dict  # (older, newer) -> Attribution
    labels: dict  # environment name -> column label

    def step(self, older: str | None, newer: str) -> dict | None:
        """What a step (timeline entry, `diff` of two neighbours) shows: {"moved": line or "",
        "causes": [{"status", "text"}]}; None when there is nothing to say."""
        if older is None:
            return None
        found = cause_of(self.found, self.locks, older, newer, self.labels)
        return shown(moved_between(self.locks, older, newer), [found] if found else [])


def shown(moved: str, found) -> dict | None:
    """The view of a lock diff line and attributions (verdict.html.j2's `causes`)."""
    causes = [{"status": item.status, "text": item.text, "keep": item.keep} for item in found]
    return {"moved": moved, "causes": causes} if moved or causes else None


def build_causes(envs: list[dict], results, documents) -> Causes:
    """The Causes of the environments shown (measured.envs) from their results and the loaded
    attribution runs."""
    names = {env["name"] for env in envs}
    labels = {env["name"]: env.get("column_label") or env["name"] for env in envs}
    mine = [result for result in results if result["env"]["name"] in names]
    return Causes(locks_of(mine), attributions(mine, documents, labels), labels)
