"""The Answers section: per API family, where it is available, and per layer and weight one line
saying what is drawn, over the versions where that did not change. Pure.

An answer is read off the draws: the fingerprint of the drawn values (named from the sample
alone), with the declared initializer beside it and whether the two agree (the fit). Versions
join one range while the change tests between consecutive versions say "same" or "renamed":
a class or module rename is history (folded), not a new answer. Where declared and drawn
disagree, the answer says what was drawn and the disagreement is listed as a finding.
Variants (other builds of a version) are not separate answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report import change, fit
from initcompat.report.describe import cell_answer, declared_label, family_status, one_line
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, Row, cell_id

# The layers the original question asks about; every other layer's answer is one click away.
HEADLINE_KINDS = ("dense", "conv2d")
CONTINUES = (change.SAME, change.RENAMED)


@dataclass(frozen=True)
class Answers:
    # [{"family", "availability": [segment], "conditional": [{"case", "target", "segments"}],
    #   "items": [answer]}] in family order ("conditional": what the family does in a case the
    # cells do not measure, e.g. TF_USE_LEGACY_KERAS=1 without tf_keras installed);
    # answer: {"key", "layer", "role", "headline", "segments": [segment], "cell"}
    groups: list[dict]
    findings: list[dict]  # [{"row", "text", "range", "cell"}]: declared and drawn disagree
    unchecked: int  # answer lines whose declaration the theory does not model


def _range(labels: list[str], every: list[str], family: str) -> str:
    """'1.4–1.11', or 'every version with tf.layers: 1.4–1.15' when it covers them all."""
    span = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
    if labels == every and len(every) > 1:
        return f"every version with {family}: {span}"
    return f"in {span}" if len(labels) == 1 else span


def _declared(run: list[tuple[dict, dict]]) -> str:
    """The newest declared label, with the older labels of the same range and their versions."""
    labels: list[list] = []
    for env, cell in run:
        label = declared_label(cell)
        if labels and labels[-1][0] == label:
            labels[-1][1].append(env["label"])
        else:
            labels.append([label, [env["label"]]])
    newest = labels[-1][0]
    older = [f"{label} in {versions[0]}" + (f"–{versions[-1]}" if len(versions) > 1 else "")
             for label, versions in labels[:-1]]
    return newest + (f" (named {'; '.join(older)})" if older else "")


def _segment(run: list[tuple[dict, dict]], analyses: list, show_shape: bool) -> dict:
    """What one range of versions with the same behaviour draws, and how that fits its declaration."""
    first = run[0][1]
    if first["status"] != "ok":
        return {"text": cell_answer(first, None), "status": first["status"], "disagrees": False}
    analysis = analyses[-1]
    drawn = analysis.fingerprint if analysis and analysis.fingerprint else "values of no known family"
    if show_shape:
        drawn += f", shape {first.get('shape')}"
    declared = _declared(run)
    if analysis and analysis.theory_family == "discrete":  # layer_theory: LSTM forget-gate ones
        declared += " plus the layer's forget-gate ones (unit_forget_bias=True)"
    verdicts = {a.fit_verdict for a in analyses if a}
    theory = analysis.theory if analysis else None
    if fit.VERDICT_INCONSISTENT in verdicts:
        agreement, status = f"but that would draw {theory or 'something else'}", "finding"
    elif theory and fit.VERDICT_CONSISTENT in verdicts:
        agreement, status = "as declared", "ok"
    else:
        agreement, status = "not modelled, so not checked", "ok"
    return {"text": f"{drawn} — {declared}, {agreement}", "drawn": drawn, "declared": declared,
            "agreement": agreement, "theory": theory, "status": status,
            "disagrees": status == "finding"}


def _line(label: str) -> str:
    """The line of a version label: a Keras session's reads 'Keras 3.4 jax' (measured.env_summary);
    ranges never join versions of two lines."""
    return label.rsplit(" ", 1)[-1] if label.startswith("Keras ") else "tensorflow"


def _history(cells: list[tuple[str, dict]]) -> list[dict]:
    """Class and module per version range: [{"text", "versions"}] (the folded history)."""
    runs: list[dict] = []
    for label, cell in cells:
        if cell["status"] != "ok":
            continue
        initializer = cell.get("initializer") or {}
        text = f"{initializer.get('module')}.{initializer.get('class_name')}"
        if runs and runs[-1]["text"] == text and _line(runs[-1]["versions"][-1]) == _line(label):
            runs[-1]["versions"].append(label)
        else:
            runs.append({"text": text, "versions": [label]})
    for run in runs:
        versions = run.pop("versions")
        run["range"] = versions[0] if len(versions) == 1 else f"{versions[0]}–{versions[-1]}"
    return runs


def _availability(labels_texts: list[tuple[str, str, str]]) -> list[dict]:
    segments: list[dict] = []
    for label, text, status in labels_texts:
        if segments and segments[-1]["text"] == text and \
                _line(segments[-1]["versions"][-1]) == _line(label):
            segments[-1]["versions"].append(label)
        else:
            segments.append({"text": text, "versions": [label], "status": status})
    for segment in segments:
        versions = segment["versions"]
        segment["range"] = f"in {versions[0]}" if len(versions) == 1 else \
            f"from {versions[0]} to {versions[-1]}"
    return segments


def _entry_text(entry: dict, retried: bool) -> tuple[str, str]:
    """(text, status) of one availability attempt: 'raises ImportError (...)' or 'works'."""
    if entry.get("status") == "ok":
        return "works", "ok"
    detail = f"{entry.get('error_type') or 'an error'}: {one_line(entry.get('reason'), 120)}"
    if entry.get("status") != "unavailable":  # the child measuring it failed
        return f"could not be measured ({detail})", "error"
    return f"raises {detail}" + (" (tried again after the first failure)" if retried else ""), \
        "unavailable"


def conditional_availability(measured: Measured) -> dict[tuple, list[dict]]:
    """{(api_family, legacy_keras): [{"case", "target", "segments"}]} from the results'
    `availability` records (initcompat.probe.availability: TF_USE_LEGACY_KERAS=1 without
    tf_keras), over the primary environments that have one; segments as _availability's."""
    primaries = [(env, result) for env, result in zip(measured.envs, measured.results)
                 if env["status"] == "ok" and env["variant_of"] is None]
    found: dict[tuple, dict[tuple, list]] = {}
    for env, result in primaries:
        entries = [e for e in result.get("availability") or [] if isinstance(e, dict)]
        for entry in entries:
            family, target = entry.get("api_family"), entry.get("target")
            if not isinstance(family, str) or not isinstance(target, str):
                continue
            attempt = entry.get("attempt") if isinstance(entry.get("attempt"), int) else 0
            retried = any(other.get("api_family") == family and other.get("status") != "ok"
                          and isinstance(other.get("attempt"), int) and other["attempt"] < attempt
                          for other in entries)
            text, status = _entry_text(entry, retried)
            place = (family, bool(entry.get("legacy_keras")))
            found.setdefault(place, {}).setdefault(
                (str(entry.get("case") or ""), target), []).append((env["label"], text, status))
    return {place: [{"case": case, "target": target, "segments": _availability(lines)}
                    for (case, target), lines in targets.items()]
            for place, targets in found.items()}


def _answer(measured: Measured, key: Row, envs: list[dict], family: str) -> dict | None:
    """One weight's answer over the versions where its family is available."""
    present = [(env, measured.cells[(key, env["name"])]) for env in envs
               if (key, env["name"]) in measured.cells]
    if not present or all(c.get("error_type") == "NotOffered" for _, c in present):
        return None
    steps = {s.env: s for s in measured.steps.get(key, [])}
    runs: list[list[tuple[dict, dict]]] = []
    for env, cell in present:
        step = steps.get(env["name"])
        joins = runs and runs[-1][-1][1]["status"] == cell["status"] and (
            cell["status"] != "ok" or (step is not None and step.verdict in CONTINUES))
        if joins:
            runs[-1].append((env, cell))
        else:
            runs.append([(env, cell)])
    every = [env["label"] for env, _ in present]
    shapes = {str(cell.get("shape")) for _, cell in present if cell["status"] == "ok"}
    segments = []
    for run in runs:
        analyses = [measured.analyses.get((key, env["name"])) for env, _ in run]
        segment = _segment(run, analyses, show_shape=len(shapes) > 1)
        segment.update(range=_range([env["label"] for env, _ in run], every, family),
                       cell=cell_id(key, run[-1][0]["name"]))
        segments.append(segment)
    layer = present[-1][1]["layer"]
    return {"key": key, "layer": layer, "role": key[3], "headline": key[2] in HEADLINE_KINDS,
            "segments": segments, "cell": segments[-1]["cell"],
            "history": _history([(env["label"], cell) for env, cell in present])}


def build_answers(measured: Measured) -> Answers:
    """Per API family: where it is available, then one line per weight over those versions."""
    primaries = [e for e in measured.envs if e["status"] == "ok" and e["variant_of"] is None]
    groups, findings = [], []
    conditional = conditional_availability(measured)
    families = list(dict.fromkeys((k[0], k[1]) for k in measured.row_keys))
    for place in list(conditional):  # tf.keras has no legacy rows: its lines go to tf.keras
        if place not in families and (place[0], not place[1]) in families:
            conditional.setdefault((place[0], not place[1]), []).extend(conditional.pop(place))
    for family in families:
        keys = [k for k in measured.row_keys if (k[0], k[1]) == family]
        label = family_label(*family)
        availability, available = [], []
        for env in primaries:
            cells = [measured.cells[(k, env["name"])] for k in keys if (k, env["name"]) in measured.cells]
            if not cells:
                availability.append((env["label"], "not probed" + (
                    " (no tf_keras installed)" if family[1] else ""), "missing"))
                continue
            status, why = family_status(cells)
            availability.append((env["label"], "available" if status == "available" else why,
                                 "ok" if status == "available" else status))
            if status == "available":
                available.append(env)
        items = [answer for answer in (_answer(measured, key, available, label) for key in keys)
                 if answer is not None]
        for item in items:
            for segment in item["segments"]:
                if segment["disagrees"]:
                    findings.append({"row": f"{label} {item['layer']} {item['role']}",
                                     "text": segment["text"], "range": segment["range"],
                                     "cell": segment["cell"]})
        groups.append({"family": label, "availability": _availability(availability),
                       "conditional": conditional.get(family, []), "items": items})
    unchecked = sum(1 for group in groups for item in group["items"] for segment in item["segments"]
                    if segment.get("agreement") == "not modelled, so not checked")
    return Answers(groups=groups, findings=findings, unchecked=unchecked)
