"""The Initializers section: every initializer of every namespace, called directly, per version.

Change points first (initializer_records.change_steps: a namespace or an initializer appearing,
disappearing or starting to raise, and draws whose two-sample tests say they changed), folded
over namespaces that hold the very same callable; then where a draw disagrees with what its own
class and config declare; then the explicit initializers with the std asked for beside the std
drawn; then the tail audit (tail_audit: values outside each bounded initializer's support, and
the Anderson-Darling test of its draw against the declared distribution); then, per namespace,
every row as version ranges over which nothing changed. The rows and the change points also
feed the timeline (kind "initializer") and so the upgrade view. Pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from initcompat.report import fit
from initcompat.report.tail_audit import AD_ALPHA, ad_rejections, audit_row, clopper_pearson
from initcompat.report.initializer_records import (  # anchor: the section's row ids
    DrawAnalysis, RecordStep, analyse, anchor, change_steps, key_label, records_of)
from initcompat.report.measured import Measured

TIMELINE_KIND = "initializer"


@dataclass(frozen=True)
class Initializers:
    present: bool  # some environment ran the initializers step
    design: dict | None  # shape name -> "400×250", as the newest measured environment drew
    versions: list[dict]  # per line of environments: {"line", "count", "range"}, page order
    change_points: list[dict]  # {"version", "since", "namespace", "row", "also", "text", "anchor"}
    findings: list[dict]  # {"row", "shape", "declared", "drawn", "range", "anchor"}
    explicit: list[dict]  # {"row", "anchor", "segments": [{"range", "requested", "drawn", "ratio", "fit"}]}
    namespaces: list[dict]  # {"namespace", "availability": [{"range", "text"}], "rows": [row]}
    events: list[dict]  # timeline events (kind TIMELINE_KIND)
    missing: list[str]  # environments that ran but have no initializers file (older results)
    table: list[dict]  # the rows of reports/initializers.csv (csv_rows)
    audit: dict  # the tail audit: {"lines": [{"line", "range", "entries", "n", "outside",
    #              "rate_ci_high", "ad_tests", "ad_rejected"}], "defects": [row with values
    #              outside or a rejected AD test], "rows": [row of reports/audit.csv], "size",
    #              "ad": {"tests", "rejected", "alpha", "first_threshold", "size"}}


def _range(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


def _primaries(measured: Measured) -> list[tuple[dict, dict]]:
    """(env summary, result) of every primary environment that ran the step, in version order."""
    pairs = []
    for env, result in zip(measured.envs, measured.results):
        block = result.get("initializers")
        if env["variant_of"] is None and block and block.get("status") == "ok":
            pairs.append((env, result))
    return pairs


def _root(record: dict | None, key) -> tuple:
    """The callable a row reaches, whichever namespace spells it: its first namespace's row."""
    namespace = (record or {}).get("alias_of") or key[0]
    return (namespace,) + tuple(key[1:])


def _short_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _segments(key, primaries, steps_at: set, analyses: dict, shape_name: str) -> list[dict]:
    """Version ranges of one row over which no step of it happened, each with what it drew."""
    segments: list[dict] = []
    for env, result in primaries:
        record = records_of(result).get(key)
        status = "absent" if record is None else record["status"]
        starts = not segments or (key, env["name"]) in steps_at or segments[-1]["status"] != status
        if starts:
            draw = None if record is None else next(
                (d for d in record["draws"] if d["shape_name"] == shape_name), None)
            analysis: DrawAnalysis | None = analyses.get((key, env["name"], shape_name))
            if record is None:
                text = "not offered"
            elif record["status"] != "ok":
                text = f"raises {record.get('reason') or record['status']}"
            elif draw is None or draw["status"] != "ok":
                text = f"{shape_name} shape: " + ((draw or {}).get("reason") or "not drawn")
            else:
                text = analysis.fingerprint if analysis and analysis.fingerprint else "drawn"
            segments.append({"status": status, "labels": [env["label"]], "text": text,
                             "class": None if record is None else
                             f"{record.get('module') or '?'}.{record.get('class_name') or '?'}",
                             "declared": analysis.declared if analysis else None,
                             "fit": analysis.fit if analysis else fit.VERDICT_NOT_TESTED,
                             "record": record, "draw": draw, "analysis": analysis})
        else:
            segments[-1]["labels"].append(env["label"])
    for segment in segments:
        segment["range"] = _range(segment.pop("labels"))
    return segments


def _change_points(steps: list[RecordStep], label_of: dict, results_by_env: dict) -> list[dict]:
    """The change points, version by version: first every drawn distribution that changed, one
    line per callable (the namespaces spelling the very same callable and the shapes that
    changed the same way folded into it); then per namespace one line of what it added,
    removed, started or stopped raising (a spelling that comes or goes breaks or fixes code,
    but it is one fact per namespace, not one per name)."""
    distribution: dict[tuple, dict] = {}
    availability: dict[tuple, dict] = {}
    for step in steps:
        point_base = {"version": label_of[step.env], "since": label_of[step.since],
                      "env": step.env, "sinceEnv": step.since}
        if step.kind == "distribution":
            record = records_of(results_by_env[step.env]).get(step.key)
            root = _root(record, step.key)
            point = distribution.setdefault((step.env, root), dict(
                point_base, kind="distribution", namespace=step.key[0], row=key_label(step.key),
                also=[], texts={}, anchor=anchor(step.key)))
            if step.key[0] != point["namespace"] and step.key[0] not in point["also"]:
                point["also"].append(step.key[0])
            point["texts"].setdefault(step.text, [])
            if step.change not in point["texts"][step.text]:
                point["texts"][step.text].append(step.change)
            continue
        point = availability.setdefault((step.env, step.key[0]), dict(
            point_base, kind="availability", namespace=step.key[0], row=step.key[0], also=[],
            parts={}, anchor=anchor((step.key[0],))))
        if step.key[1]:
            name = key_label(step.key)[len(step.key[0]) + 1:]
            point["parts"].setdefault(step.change, [])
            if name not in point["parts"][step.change]:
                point["parts"][step.change].append(name)
        else:
            point["parts"][step.change] = [step.text]
    points = []
    for point in distribution.values():
        texts = point.pop("texts")
        point["text"] = "; ".join(f"{text} ({' and '.join(shapes)} shape{'s' if len(shapes) > 1 else ''})"
                                  for text, shapes in texts.items())
        points.append(point)
    words = (("namespace added", "now offered"), ("namespace removed", ""), ("added", "now offers"),
             ("removed", "no longer offers"), ("raises", "now raises on"),
             ("works", "works again:"))
    for point in availability.values():
        parts = point.pop("parts")
        lines = []
        for change_name, word in words:
            names = parts.get(change_name)
            if not names:
                continue
            if change_name.startswith("namespace"):
                lines.append(names[0])
            else:
                shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12
                                                 else "")
                lines.append(f"{word} {shown}")
        point["text"] = "; ".join(lines)
        points.append(point)
    return points


def build_initializers(measured: Measured) -> Initializers:
    """The section from the measured results (their `initializers` blocks)."""
    primaries = _primaries(measured)
    ran = [env["name"] for env in measured.envs if env["status"] == "ok"]
    missing = [env["name"] for env, result in zip(measured.envs, measured.results)
               if env["status"] == "ok" and not result.get("initializers")]
    if not primaries:
        return Initializers(False, None, [], [], [], [], [], [], missing if ran else [], [],
                            {"lines": [], "defects": [], "rows": [], "size": 0})
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    analyses = analyse([result for result in measured.results if result.get("initializers")])
    steps = change_steps([result for _, result in primaries], variant_of, analyses)
    label_of = {env["name"]: env["label"] for env in measured.envs}
    results_by_env = {env["name"]: result for env, result in primaries}
    order = {env["name"]: index for index, (env, _) in enumerate(primaries)}
    points = sorted(_change_points(steps, label_of, results_by_env),
                    key=lambda p: (order.get(p["env"], len(order)), p["kind"] != "distribution"))
    steps_at = {(step.key, step.env) for step in steps}
    namespace_steps = {(step.key[0], step.env) for step in steps if not step.key[1]}

    keys: dict = {}
    for _, result in primaries:
        for key in records_of(result):
            keys.setdefault(key, None)
    namespace_order = list(dict.fromkeys(
        entry["namespace"] for _, result in primaries
        for entry in (result["initializers"].get("namespaces") or [])))
    how_order = {"constructor": 0, "get": 1, "explicit": 2}
    ordered = sorted(keys, key=lambda k: (namespace_order.index(k[0]) if k[0] in namespace_order
                                          else len(namespace_order), how_order.get(k[1], 3),
                                          k[2].lower(), k[3]))
    findings, explicit, by_namespace = [], [], {}
    for key in ordered:
        shape_segments = {shape: _segments(key, primaries, steps_at, analyses, shape)
                          for shape in ("dense", "conv")}
        segments = shape_segments["dense"]
        row = {"row": key_label(key), "anchor": anchor(key), "how": key[1],
               "segments": [{k: s[k] for k in ("range", "text", "class", "declared", "fit",
                                                "status")} for s in segments]}
        by_namespace.setdefault(key[0], []).append(row)
        for shape in shape_segments:
            findings.extend(_findings(key, shape, primaries, analyses))
        if key[1] == "explicit" and not _only_aliases(key, primaries):
            shown = [s for s in segments if s["status"] != "absent"]
            explicit.append({"row": key_label(key), "anchor": anchor(key),
                             "also": _aliases_of(key, primaries), "segments": [
                {"range": s["range"], "status": s["status"], "text": s["text"],
                 "requested": _short_number(s["analysis"].requested_std if s["analysis"] else None),
                 "drawn": _short_number(s["draw"]["sample"]["std"] if s["draw"] and
                                        s["draw"].get("sample") else None),
                 "ratio": _ratio(s), "fit": s["fit"]} for s in shown]})
    namespaces = []
    for namespace in namespace_order:
        availability = []
        for env, result in primaries:
            entry = next((n for n in result["initializers"].get("namespaces") or []
                          if n.get("namespace") == namespace), None)
            text = "not probed" if entry is None else (
                "offered" + (f" (the same callables as {entry['alias_of']})"
                             if entry.get("alias_of") else "")
                if entry["status"] == "ok" else f"not offered: {entry.get('reason') or '?'}")
            if availability and availability[-1]["text"] == text and \
                    (namespace, env["name"]) not in namespace_steps:
                availability[-1]["labels"].append(env["label"])
            else:
                availability.append({"text": text, "labels": [env["label"]],
                                     "status": "ok" if text.startswith("offered") else "absent"})
        for segment in availability:
            segment["range"] = _range(segment.pop("labels"))
        namespaces.append({"namespace": namespace, "availability": availability,
                           "rows": by_namespace.get(namespace, [])})
    events = [{"env": point["env"], "since": point["sinceEnv"], "kind": TIMELINE_KIND,
               "family": point["namespace"], "layer": point["row"], "weight": "",
               "row": point["row"] + (f" (also {', '.join(point['also'])})" if point["also"]
                                      else ""),
               "text": point["text"], "cell": point["anchor"]} for point in points]
    shapes = (primaries[-1][1]["initializers"].get("design") or {}).get("shapes") or {}
    design = {name: "×".join(str(d) for d in shape) for name, shape in shapes.items()}
    for point in points:
        point.pop("key", None)
    return Initializers(True, design, _line_ranges(primaries), points, findings,
                        explicit, namespaces, events, missing, csv_rows(measured, analyses),
                        audit_view(measured))


def _findings(key, shape: str, primaries, analyses: dict) -> list[dict]:
    """Runs of consecutive versions whose draw of a row disagrees with its declaration."""
    runs: list[dict] = []
    previous_inconsistent = False
    for env, _ in primaries:
        analysis = analyses.get((key, env["name"], shape))
        inconsistent = analysis is not None and analysis.fit == fit.VERDICT_INCONSISTENT
        if inconsistent and previous_inconsistent and runs[-1]["drawn"] == analysis.fingerprint:
            runs[-1]["labels"].append(env["label"])
        elif inconsistent:
            runs.append({"row": key_label(key), "shape": shape, "declared": analysis.declared,
                         "drawn": analysis.fingerprint, "labels": [env["label"]],
                         "anchor": anchor(key)})
        previous_inconsistent = inconsistent
    for run in runs:
        run["range"] = _range(run.pop("labels"))
    return runs


def _line_ranges(primaries) -> list[dict]:
    """How many versions of each line (TensorFlow; Keras on a backend) were measured, and their
    range: a range never spans two lines."""
    lines: dict[str, list[str]] = {}
    for env, _ in primaries:
        lines.setdefault(env.get("line", "tensorflow"), []).append(env["label"])
    return [{"line": line, "count": len(labels), "range": _range(labels)}
            for line, labels in lines.items()]


def _only_aliases(key, primaries) -> bool:
    """Every record of the row is a copy of another namespace's (the same callable)."""
    records = [records_of(result).get(key) for _, result in primaries]
    present = [record for record in records if record is not None]
    return bool(present) and all(record.get("alias_of") for record in present)


def _aliases_of(key, primaries) -> list[str]:
    """The namespaces whose row of the same spelling is a copy of this row, in some version."""
    also = []
    for _, result in primaries:
        for other, record in records_of(result).items():
            if other[1:] == key[1:] and record.get("alias_of") == key[0] and other[0] not in also:
                also.append(other[0])
    return also


def _ratio(segment: dict) -> str:
    analysis, draw = segment["analysis"], segment["draw"]
    if analysis is None or analysis.requested_std in (None, 0) or not draw or not draw.get("sample"):
        return "—"
    return f"{draw['sample']['std'] / analysis.requested_std:.3f}"


def csv_rows(measured: Measured, analyses: dict) -> list[dict]:
    """reports/initializers.csv: one row per environment x record x shape (variants included)."""
    rows = []
    for env, result in zip(measured.envs, measured.results):
        block = result.get("initializers") or {}
        records = block.get("records") or []
        if not records:
            continue
        versions = block.get("versions") or {}
        for record in records:
            key_text = key_label((record["namespace"], record["how"], record["initializer"],
                                  json.dumps(record.get("args") or {}, sort_keys=True)))
            draws = record["draws"] or [{"shape_name": "", "shape": [], "status": record["status"]}]
            for draw in draws:
                sample = draw.get("sample") or {}
                analysis = analyses.get(((record["namespace"], record["how"],
                                          record["initializer"],
                                          json.dumps(record.get("args") or {}, sort_keys=True)),
                                         env["name"], draw["shape_name"]))
                rows.append({
                    "env": env["name"], "tf_version": env["tensorflow"],
                    "keras_version": versions.get("keras") or env.get("keras"),
                    "backend": "tensorflow", "namespace": record["namespace"],
                    "initializer": record["initializer"], "how": record["how"],
                    "call": key_text,
                    "args": json.dumps(record.get("args") or {}, sort_keys=True),
                    "class": record.get("class_name"), "module": record.get("module"),
                    "config": json.dumps(record.get("config"), sort_keys=True),
                    "alias_of": record.get("alias_of"),
                    "status": record["status"] if record["status"] != "ok" else draw["status"],
                    "reason": draw.get("reason") or record.get("reason"),
                    "shape_name": draw["shape_name"], "shape": "x".join(map(str, draw["shape"])),
                    "fan_in": draw.get("fan_in"), "fan_out": draw.get("fan_out"),
                    "n": sample.get("n"), "mean": sample.get("mean"), "std": sample.get("std"),
                    "min": sample.get("min"), "max": sample.get("max"),
                    "excess_kurtosis": sample.get("excess_kurtosis"),
                    "declared": analysis.declared if analysis else None,
                    "requested_std": analysis.requested_std if analysis else None,
                    "fit": analysis.fit if analysis else None,
                    "fingerprint": analysis.fingerprint if analysis else None,
                })
    return rows


AUDIT_COLUMNS = ["env", "keras_version", "backend", "initializer", "n", "outside_support", "rate",
                 "rate_ci_low", "rate_ci_high", "p_value", "ad_n", "ad_statistic", "ad_p_value"]


def _p_text(p: float | None) -> str:
    """A p-value as the page prints it; 0 is an underflow (A^2 beyond ~700), not a certainty."""
    if p is None:
        return "not measured"
    return "< 1e-300" if p == 0 else f"{p:.2g}"


def _most_common(values: list) -> int:
    return max(set(values), key=values.count) if values else 0


def audit_view(measured: Measured) -> dict:
    """The tail audit per line of environments (TensorFlow; Keras on a backend): how many bounded
    initializers were audited with how many values, how many values fell outside their support,
    the 95% upper bound of the rate, and how many Anderson-Darling tests of the draws against the
    declared distribution were run and rejected (Holm over every one in the report at
    AD_ALPHA); every entry with a count above 0 or a rejected AD test as a defect; the rows of
    reports/audit.csv."""
    rows, lines = [], {}
    for env, result in zip(measured.envs, measured.results):
        block = result.get("initializers") or {}
        versions = block.get("versions") or {}
        for entry in block.get("audit") or []:
            if not isinstance(entry, dict):
                continue
            rates = audit_row(entry)
            call = key_label((entry["namespace"], entry["how"], entry["initializer"],
                              json.dumps(entry.get("args") or {}, sort_keys=True)))
            row = {"env": env["name"], "keras_version": versions.get("keras") or env.get("keras"),
                   "backend": env.get("backend") or "tensorflow", "initializer": call,
                   "support": entry.get("support"), "low": entry.get("low"),
                   "high": entry.get("high"), "min": entry.get("min"), "max": entry.get("max"),
                   "error": entry.get("error"), **(rates or {})}
            rows.append(row)
            if rates is None:
                continue
            line = lines.setdefault(env.get("line", "tensorflow"), {
                "line": env.get("line", "tensorflow"), "versions": [], "entries": 0, "n": 0,
                "outside": 0, "rows": []})
            if env["label"] not in line["versions"]:
                line["versions"].append(env["label"])
            line["entries"] += 1
            line["n"] += rates["n"]
            line["outside"] += rates["outside_support"]
            line["rows"].append(row)
    for row, rejected in zip(rows, ad_rejections([row.get("ad_p_value") for row in rows])):
        row["ad_rejected"] = rejected
    for line in lines.values():
        line["rate_ci_high"] = clopper_pearson(line["outside"], line["n"])[1] if line["n"] else None
        line["range"] = _range(line.pop("versions"))
        tested = [row for row in line.pop("rows") if row["ad_rejected"] is not None]
        line["ad_tests"] = len(tested)
        line["ad_rejected"] = sum(1 for row in tested if row["ad_rejected"])
    defects = [{**row, "ad_p_text": _p_text(row.get("ad_p_value"))} for row in rows
               if row.get("outside_support") or row.get("ad_rejected")]
    tests = sum(1 for row in rows if row["ad_rejected"] is not None)
    sizes = sorted({row["ad_n"] for row in rows if row["ad_rejected"] is not None})
    ad = {"tests": tests, "rejected": sum(1 for row in rows if row["ad_rejected"]),
          "alpha": AD_ALPHA, "first_threshold": AD_ALPHA / tests if tests else None,
          "size": "" if not sizes else f"{sizes[0]:,}" if len(sizes) == 1
          else f"{sizes[0]:,} to {sizes[-1]:,}"}
    return {"lines": list(lines.values()), "defects": defects, "rows": rows,
            "size": _most_common([row["n"] for row in rows if isinstance(row.get("n"), int)]),
            "ad": ad}


INITIALIZER_COLUMNS = ["env", "tf_version", "keras_version", "backend", "namespace",
                       "initializer", "args", "class", "config", "status", "shape", "fan_in",
                       "fan_out", "n", "mean", "std", "min", "max", "excess_kurtosis", "fit"]
# The report's CSV files of this section: (file name, its rows from the section, columns first).
CSV_TABLES = (("initializers.csv", lambda section: section.table, INITIALIZER_COLUMNS),
              ("audit.csv", lambda section: section.audit["rows"], AUDIT_COLUMNS))
