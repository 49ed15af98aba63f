"""`python -m initcompat.check ... --verify`: every unverified fix run in its target environment
and judged against the source environment's measured draws (issue 28, point 4).

plan.py turns the fixes' recipes into runs; host/fix_runner.py runs the ones not already run
for the same inputs in the target's environment (building it with the runner's installer where
it is missing); verdicts.py compares each run's draws with the source's, read from the source
environment's result files in the results folder (its cells for a layer fix, its initializers
file for an initializer fix). Each fix then says "verified" (the draws match), "differs",
"raised", or stays "unverified" with why it could not be compared (no environment, no source
results). Nothing here prints but through `echo`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from initcompat.check import plan as plan_module
from initcompat.check import verdicts
from initcompat.check.findings import Finding
from initcompat.host import fix_runner
from initcompat.host.matrix import Matrix
from initcompat.probe import schema
from initcompat.report.initializer_records import record_key
from initcompat.report.load import load_results


@dataclass(frozen=True)
class Summary:
    fixes: int  # unverified fixes with a recipe
    ran: int  # runs drawn now
    reused: int  # runs whose files were already there
    counts: dict  # status -> fixes
    seconds: float  # the whole verification, wall clock
    notes: tuple  # one line each: environments built, or why some could not run

    def line(self) -> str:
        if not self.fixes:
            return "initcompat check: no unverified fix to verify"
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return (f"initcompat check: {self.fixes} fix{'es' if self.fixes != 1 else ''} to "
                f"verify: {counts} ({self.ran} run now, {self.reused} reused; "
                f"{self.seconds:.1f} s)")


class References:
    """The source environments' measured cells and initializer records, read once each."""

    def __init__(self, results: Path):
        self.results = results
        self._loaded: dict[str, dict | None] = {}

    def result(self, name: str) -> dict | None:
        if name not in self._loaded:
            paths = [self.results / schema.file_name(name, kind) for kind in (
                schema.KIND_RESULT, schema.KIND_INITIALIZERS)]
            paths = [path for path in paths if path.is_file()]
            loaded = load_results(paths) if paths else None
            found = [r for r in (loaded.results if loaded else ()) if r["env"]["name"] == name]
            self._loaded[name] = found[0] if found else None
        return self._loaded[name]

    def cells(self, name: str) -> dict | None:
        result = self.result(name)
        if result is None:
            return None
        return {(c["api_family"], bool(c["legacy_keras"]), c["layer_kind"], c["weight_role"]): c
                for c in result.get("cells") or []}

    def initializer(self, name: str, key: list) -> dict | None:
        result = self.result(name)
        records = ((result or {}).get("initializers") or {}).get("records") or []
        return next((r for r in records if list(record_key(r)) == list(key)), None)


def _labels(data, recipe: dict) -> tuple[str, str]:
    return (data.env[recipe["reference"]["env"]].get("column_label") or recipe["reference"]["env"],
            data.env[recipe["env"]].get("column_label") or recipe["env"])


def judge(recipe: dict, body: dict, references: References, labels) -> verdicts.Verdict:
    source = recipe["reference"]["env"]
    if recipe["kind"] == "layer":
        return verdicts.layer_verdict(recipe, body, references.cells(source), labels)
    return verdicts.initializer_verdict(
        recipe, body, references.initializer(source, recipe["reference"]["key"]), labels)


def verify(findings: list[Finding], data, *, matrix: Matrix, results: Path, envs: Path,
           source: Path, suite_path: Path, build: bool = True,
           echo=print) -> tuple[list[Finding], Summary]:
    """The findings with every unverified fix verified where it can be, and a summary."""
    started = time.monotonic()
    items = plan_module.wanted(findings)
    references = References(results)
    replaced: dict[tuple[int, int], tuple[str, str, dict]] = {}
    ran = reused = 0
    notes = []
    suite = schema.read_suite_identity(suite_path) or {}
    for item in items:  # nothing to compare with: not run at all
        source_env = item.recipe["reference"]["env"]
        measured = references.result(source_env)
        why = None
        if measured is None:
            why = (f"no measured results of {source_env} in {results} (run `nox -s "
                   f"{source_env}`, or pass --results DIR)")
        elif (measured["env"].get("suite") or {}).get("sha256") != suite.get("sha256"):
            why = (f"{source_env}'s results in {results} measured another suite than "
                   f"{suite_path.name}: their sizes are not the fix run's")
        if why:
            replaced[(item.finding, item.fix)] = ("unverified", f"not run: {why}",
                                                  {"env": item.recipe["env"]})
    items = [item for item in items if (item.finding, item.fix) not in replaced]
    for (env, _), group in plan_module.group(items).items():
        recipes = [item.recipe for item in group]
        try:
            outcome, keys = fix_runner.run_for_environment(
                matrix, env, recipes, results=results, envs=envs, source=source,
                suite_path=suite_path, build=build, echo=echo)
        except fix_runner.NotRunnable as error:
            notes.append(str(error))
            for item in group:
                replaced[(item.finding, item.fix)] = (
                    "unverified", f"not run in {env}: {error}", {"env": env})
            continue
        ran, reused = ran + outcome.ran, reused + outcome.reused
        if outcome.built:
            notes.append(f"{env}: {outcome.built}")
        for index, item in enumerate(group):
            key = keys[index]
            labels = _labels(data, item.recipe)
            if key not in outcome.bodies:
                verdict = verdicts.Verdict("unverified", outcome.problems.get(key, "not run"), {})
            else:
                verdict = judge(item.recipe, outcome.bodies[key], references, labels)
            facts = dict(verdict.facts, env=env, source=item.recipe["reference"]["env"],
                         status=verdict.status, file=str(outcome.files.get(key) or ""))
            replaced[(item.finding, item.fix)] = (verdict.status, verdict.text, facts)
    counts: dict[str, int] = {}
    updated = []
    for i, finding in enumerate(findings):
        fixes = []
        for j, fix in enumerate(finding.fixes):
            if (i, j) in replaced:
                status, text, facts = replaced[(i, j)]
                counts[status] = counts.get(status, 0) + 1
                fix = dataclasses.replace(fix, status=status, why=text, verification=facts)
            fixes.append(fix)
        updated.append(dataclasses.replace(finding, fixes=tuple(fixes)))
    return updated, Summary(len(plan_module.wanted(findings)), ran, reused, counts, time.monotonic() - started,
                            tuple(notes))
