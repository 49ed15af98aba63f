"""A fix run's draws against the source environment's measured draws: matches, differs or
raised, with the figures. The same two-sample tests as the porting table
(initcompat.measurements.porting.section.comparisons, report/change.py: mean, std and kurtosis
z-tests and KS on the subsamples, Holm over the fix's weights, then the practical-size thresholds; constants exactly),
plus the shape of every weight, which must be the source's. Pure (numpy and scipy through
report/change.py).

A layer fix compares each weight it draws with the source's cell of that weight; an
initializer fix each shape the initializers step draws (the dense shape with its subsample,
the conv shape by its moments) with the source's record of the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.check.findings import DIFFERS, RAISED, UNVERIFIED, VERIFIED
from initcompat.probe import schema
from initcompat.report.change import CHANGED, NOT_COMPARABLE, classify_changes, compare_samples

_NAMES = {"mean": "mean z", "std": "std z", "excess_kurtosis": "kurtosis z", "ks": "KS D"}


@dataclass(frozen=True)
class Verdict:
    status: str  # VERIFIED, DIFFERS, RAISED, or UNVERIFIED where nothing could be compared
    text: str  # one line: what ran where and what it showed, with the figures
    facts: dict  # the same for JSON: env, source, per weight its shapes, n and tests


def _shape(shape) -> str:
    return "×".join(str(d) for d in shape) if isinstance(shape, list) and shape else "?"


def _figures(test, first: dict, second: dict) -> str:
    """'KS D=0.012 p=0.83, std z=0.4 p=0.7, n=20000/20000' or 'constant 0 in both'."""
    if not test.comparable:
        return test.detail
    if test.exact_change is not None:
        if test.exact_change:
            return test.detail.replace("->", "in the source, here")
        return f"constant {first.get('min')} in both"
    shown = sorted(test.comparisons, key=lambda c: c.name != "ks")
    parts = [f"{_NAMES[c.name]}={c.statistic:.3g} p={c.p_value:.2g}" for c in shown[:2]]
    return ", ".join(parts) + f", n={first.get('n')}/{second.get('n')}"


def _tests(facts: list[dict]) -> list:
    """Every weight's two-sample test, decided together (Holm), into facts[i]['verdict']."""
    tested = [fact for fact in facts if fact.get("test") is not None]
    for fact, verdict in zip(tested, classify_changes([fact["test"] for fact in tested])):
        fact["verdict"] = verdict
    return tested


def _decide(pairs: list[tuple[str, dict | None, dict | None]], labels: tuple[str, str],
            where: str) -> Verdict:
    """pairs: (what, the source's sample holder, the run's), each a dict with "shape" and
    "sample". The verdict over all of them."""
    facts = []
    for what, source, drawn in pairs:
        fact = {"weight": what, "source_shape": (source or {}).get("shape"),
                "shape": (drawn or {}).get("shape")}
        if source is None or not source.get("sample"):
            fact["problem"] = f"{labels[0]} did not measure {what}"
        elif fact["shape"] != fact["source_shape"]:
            fact["problem"] = (f"{what} shape {_shape(fact['shape'])} here, "
                               f"{_shape(fact['source_shape'])} in {labels[0]}")
            fact["verdict"] = CHANGED
        else:
            fact["test"] = compare_samples(source["sample"], drawn.get("sample"))
        facts.append(fact)
    _tests(facts)
    differing = [f for f in facts if f.get("verdict") == CHANGED]
    missing = [f for f in facts if "verdict" not in f or f["verdict"] == NOT_COMPARABLE]
    for fact in facts:
        test = fact.pop("test", None)
        if test is not None:
            source = next(p[1] for p in pairs if p[0] == fact["weight"])
            drawn = next(p[2] for p in pairs if p[0] == fact["weight"])
            fact["figures"] = _figures(test, source["sample"], drawn["sample"])
            fact["n"] = [source["sample"].get("n"), drawn["sample"].get("n")]
            fact["tests"] = [{"test": c.name, "statistic": c.statistic, "p": c.p_value,
                              "effect": c.effect} for c in test.comparisons]
    words = "; ".join(f.get("problem") or f"{f['weight']} {_shape(f['shape'])}: {f['figures']}"
                      for f in facts)
    if differing:
        return Verdict(DIFFERS, f"run in {where}: draws differ from {labels[0]}'s ({words}); "
                       "not a fix", {"weights": facts})
    if missing:
        return Verdict(UNVERIFIED, f"run in {where}, not compared: {words}", {"weights": facts})
    return Verdict(VERIFIED, f"verified in {where}: draws match {labels[0]}'s ({words})",
                   {"weights": facts})


def _raised(body: dict, where: str) -> Verdict | None:
    if body.get("status") == schema.CELL_OK:
        return None
    reason = " ".join(str(body.get("reason") or body.get("status")).split())
    return Verdict(RAISED, f"run in {where}: raised {reason[:300]}",
                   {"error_type": body.get("error_type"), "reason": body.get("reason")})


def layer_verdict(recipe: dict, body: dict, reference: dict | None,
                  labels: tuple[str, str]) -> Verdict:
    """A layer run (its file's body) against the source's cells (row tuple -> cell)."""
    where = labels[1]
    raised = _raised(body, where)
    if raised is not None:
        return raised
    drawn = {cell["weight_role"]: cell for cell in body.get("cells") or []}
    pairs = []
    for row in recipe["reference"]["rows"]:
        source = (reference or {}).get(tuple(row))
        pairs.append((row[3], source if source and source.get("status") == "ok" else None,
                      drawn.get(row[3])))
    return _with_seconds(_decide(pairs, labels, where), body)


def initializer_verdict(recipe: dict, body: dict, reference: dict | None,
                        labels: tuple[str, str]) -> Verdict:
    """An initializer run against the source's record of the call (its draws by shape)."""
    where = labels[1]
    raised = _raised(body, where)
    if raised is not None:
        return raised
    record = body.get("record") or {}
    drawn = {draw["shape_name"]: draw for draw in record.get("draws") or []}
    source = {draw["shape_name"]: draw for draw in (reference or {}).get("draws") or []
              if draw.get("status") == "ok"}
    pairs = [(f"{name} draw", source.get(name), drawn.get(name)) for name in sorted(drawn)]
    return _with_seconds(_decide(pairs, labels, where), body)


def _with_seconds(verdict: Verdict, body: dict) -> Verdict:
    return Verdict(verdict.status, verdict.text, dict(verdict.facts, seconds=body.get("seconds")))
