"""The porting table's statistics: each snippet's draws in framework B against framework A's own
measured draws of the same weight, by the two-sample tests of report/change.py. Pure.

A's draws at the suite's sizes: for TF/Keras, the `tf.keras` cells (default Keras, not
TF_USE_LEGACY_KERAS) of the environments that ran the porting step (schema.PORTING_TAG); for
PyTorch and Flax, the framework cells (torch.nn; flax.linen, whose defaults the theory
describes) of every framework session that ran it. At the second sizes (a record's
`shape_set`), A's own porting file: its layers built there with no initializer argument
(records from A to A). B's draws: the porting file of each environment, one record per source
framework, weight and size. Every (A environment, B record) pair is one comparison; all are
decided at once (Holm over every p-value, then the practical-size thresholds of change.py):
"matches" where no test finds a practically large difference, "differs" where one does, with
the statistic. Snippets for Flax's nnx (a record's `to_api`) have no control.
The marginal distribution of the entries is what is compared (a layout's transpose does not
change it; an LSTM bias's gate order is in the snippet, not in the test). Beside each verdict,
the control: B's own default against A's (`default_verdict`), what a port without the snippet
gets; it is tested in the same Holm family, so a "differs" there shows the tests can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report import theory as theory_module
from initcompat.report.change import CHANGED, NOT_COMPARABLE, classify_changes, compare_samples
from initcompat.report.fit import VERDICT_NOT_TESTED, goodness_of_fit

MATCHES = "matches"
DIFFERS = "differs"
NOT_COMPARED = "not compared"
INEXPRESSIBLE = "inexpressible"
SNIPPET_ERROR = "snippet raised"
VERDICTS = (MATCHES, DIFFERS, NOT_COMPARED, INEXPRESSIBLE, SNIPPET_ERROR)
# Which of a framework's APIs the porting theory describes (porting_theory.default_theory).
SOURCE_API = {schema.FRAMEWORK_TORCH: "torch.nn", schema.FRAMEWORK_FLAX: "flax.linen"}
SUITE_SIZES = "suite"  # a record's shape_set (validation.PORTING_SHAPE_SETS); absent reads so
# The end of a snippet's first line, which names the sizes (porting_snippets.SIZES_COMMENT).
SIZES_MARK = "# your layer's sizes"
FLAX_NNX = "flax.nnx"  # a record's to_api where its snippet is for Flax's nnx (porting_snippets)


@dataclass(frozen=True)
class Source:
    """A's measured default of one weight in one environment."""

    framework: str
    version: str
    env: str
    sample: dict | None
    identity: str
    shape: list | None
    layout: str | None
    fan_in: object
    fan_out: object


def framework_of(result: dict) -> str:
    """The porting framework of an environment: its framework, else tf.keras."""
    return result["env"].get("framework") or schema.FRAMEWORK_TF_KERAS


def version_of(result: dict) -> str:
    env = result["env"]
    if env.get("framework"):
        versions = result.get("framework_versions") or {}
        package = "jax" if env["framework"] == schema.FRAMEWORK_STAX else env["framework"]
        return str(versions.get(package) or env.get("framework_version") or "?")
    return str(env.get("tensorflow"))


def ported(result: dict) -> bool:
    """Whether the environment ran the porting step with records."""
    body = result.get("porting")
    return bool(body) and body.get("status") == schema.ENV_OK and bool(body.get("records"))


def _describe(identity: dict | None) -> str:
    if not identity:
        return "—"
    function = identity.get("function") or "—"
    args = identity.get("args")
    kwargs = identity.get("kwargs")
    parts = []
    if isinstance(args, list):
        parts.extend(repr(a) for a in args)
    elif isinstance(args, dict):
        parts.extend(f"{k}={v!r}" for k, v in sorted(args.items()))
    if isinstance(kwargs, dict):
        parts.extend(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
    short = str(function).replace("jax._src.nn.initializers.", "jax.nn.initializers.")
    return f"{short}({', '.join(parts)})" if parts or args is not None or kwargs else short


def source_of(result: dict, kind: str, role: str) -> Source | None:
    """A's measured default of (kind, role) in this environment, or None where not measured."""
    framework = framework_of(result)
    if result.get("status") != schema.ENV_OK:
        return None
    if framework == schema.FRAMEWORK_TF_KERAS:
        for cell in result.get("cells") or []:
            if (cell.get("api_family") == schema.FAMILY_TF_KERAS and not cell.get("legacy_keras")
                    and cell.get("layer_kind") == kind and cell.get("weight_role") == role
                    and cell.get("status") == schema.CELL_OK):
                initializer = cell.get("initializer") or {}
                return Source(framework, version_of(result), result["env"]["name"],
                              cell.get("sample"),
                              f"{initializer.get('class_name')} {initializer.get('config')}",
                              cell.get("shape"), None, cell.get("fan_in"), cell.get("fan_out"))
        return None
    for cell in result.get("framework_cells") or []:
        if (cell.get("api") == SOURCE_API.get(framework) and cell.get("layer_kind") == kind
                and cell.get("weight_role") == role and cell.get("status") == schema.PORT_OK):
            return Source(framework, version_of(result), result["env"]["name"],
                          cell.get("sample"), _describe(cell.get("initializer")),
                          cell.get("shape"), cell.get("layout"), cell.get("fan_in"),
                          cell.get("fan_out"))
    return None


def shape_set_of(record: dict) -> str:
    return str(record.get("shape_set") or SUITE_SIZES)


def own_default_of(result: dict, kind: str, role: str, shape_set: str) -> Source | None:
    """The environment's own default of (kind, role) drawn by its porting step at `shape_set`
    (its record from its framework to itself), or None."""
    if not ported(result):
        return None
    framework = framework_of(result)
    for record in result["porting"]["records"]:
        if (record["from_framework"] == framework == record["to_framework"]
                and record["layer_kind"] == kind and record["weight_role"] == role
                and shape_set_of(record) == shape_set and record["status"] == schema.PORT_OK):
            return Source(framework, version_of(result), result["env"]["name"],
                          record.get("sample"), "its default, no initializer argument",
                          record.get("shape"), None, None, None)
    return None


def measured_default(result: dict, kind: str, role: str, shape_set: str) -> Source | None:
    """The environment's measured default at the suite's sizes (its cells) or the second ones."""
    if shape_set == SUITE_SIZES:
        return source_of(result, kind, role)
    return own_default_of(result, kind, role, shape_set)


def sizes_label(kind: str, dims) -> str:
    """A layer's sizes in a few characters: 96→40, 6→20 (5×3), 500×16; "" where unknown."""
    if not isinstance(dims, dict):
        return ""
    try:
        if kind == "conv2d":
            height, width = dims["kernel_size"]
            return (f"{int(dims['in_channels'])}→{int(dims['filters'])} "
                    f"({int(height)}×{int(width)})")
        if kind == "embedding":
            return f"{int(dims['vocabulary'])}×{int(dims['output_dim'])}"
        return f"{int(dims['input_dim'])}→{int(dims['units'])}"
    except (KeyError, TypeError, ValueError, OverflowError):
        return ""


def _statistic(test) -> str:
    if not test.comparable:
        return test.detail
    if test.exact_change is not None:
        return test.detail
    names = {"mean": "mean z", "std": "std z", "excess_kurtosis": "kurtosis z", "ks": "KS D"}
    return "; ".join(f"{names[c.name]} {c.statistic:.3g} (p {c.p_value:.2g})"
                     for c in test.comparisons)


def porting_rows(ordered_results: list[dict]) -> list[dict]:
    """One row per (B environment's porting record) x (A environment that measured that weight
    at the record's sizes), in the order of schema.PORTING_LAYERS, then source, target and
    sizes; rows of records that B could not run (inexpressible, error) once per A environment
    too, without statistics. Records of B's own default (from B to B) are sources, not rows."""
    sources_by_framework: dict[str, list[dict]] = {}
    for result in ordered_results:
        if ported(result):
            sources_by_framework.setdefault(framework_of(result), []).append(result)
    rows, tests, tested = [], [], []
    for result in ordered_results:
        if not ported(result):
            continue
        target_version = version_of(result)
        for record in result["porting"]["records"]:
            kind, role, source_framework = (record["layer_kind"], record["weight_role"],
                                            record["from_framework"])
            if source_framework == record["to_framework"]:
                continue
            shape_set = shape_set_of(record)
            for source_result in sources_by_framework.get(source_framework, []):
                source = measured_default(source_result, kind, role, shape_set)
                theory = record.get("theory") or {}
                row = {
                    "layer": kind, "weight": role, "from_framework": source_framework,
                    "from_version": source.version if source else version_of(source_result),
                    "from_env": source_result["env"]["name"],
                    "to_framework": record["to_framework"], "to_version": target_version,
                    "to_env": result["env"]["name"], "snippet": record.get("snippet") or "",
                    "imports": str(result["porting"].get("imports") or ""),
                    "status": record["status"], "theory": str(theory.get("text") or ""),
                    "notes": [str(n) for n in record.get("notes") or []],
                    "reason": str(record.get("reason") or ""),
                    "from_identity": source.identity if source else "not measured",
                    "from_shape": source.shape if source else None,
                    "from_layout": (source.layout if source else None)
                    or (theory.get("fans") or {}).get("layout"),
                    "to_shape": record.get("shape"),
                    "verdict": "", "statistic": "",
                    "default_verdict": NOT_COMPARED, "default_statistic": "",
                    "shape_set": shape_set, "sizes": sizes_label(kind, record.get("dims")),
                    "to_api": str(record.get("to_api") or ""),
                }
                # the control: the target's own default (linen's cells; none measured for nnx)
                own = None if record.get("to_api") else measured_default(result, kind, role,
                                                                         shape_set)
                if source is not None and source.sample and own is not None and own.sample:
                    control = compare_samples(source.sample, own.sample)
                    tests.append(control)
                    tested.append((len(rows), "default_verdict"))
                    row["default_statistic"] = _statistic(control)
                if record["status"] == schema.PORT_INEXPRESSIBLE:
                    row["verdict"] = INEXPRESSIBLE
                elif record["status"] != schema.PORT_OK:
                    row["verdict"] = SNIPPET_ERROR
                    row["statistic"] = row["reason"]
                elif source is None or not source.sample:
                    row["verdict"] = NOT_COMPARED
                    row["statistic"] = "the source's draws of this weight were not measured" + (
                        "" if shape_set == SUITE_SIZES else " at these sizes")
                else:
                    test = compare_samples(source.sample, record.get("sample"))
                    tests.append(test)
                    tested.append((len(rows), "verdict"))
                    row["statistic"] = _statistic(test)
                rows.append(row)
    for (index, field), verdict in zip(tested, classify_changes(tests)):
        rows[index][field] = (DIFFERS if verdict == CHANGED else
                                  NOT_COMPARED if verdict == NOT_COMPARABLE else MATCHES)
    order = {kind: i for i, (kind, _) in enumerate(schema.PORTING_LAYERS)}
    roles = {(kind, role): i for kind, rs in schema.PORTING_LAYERS for i, role in enumerate(rs)}
    frameworks = {name: i for i, name in enumerate(schema.PORTING_FRAMEWORKS)}
    rows.sort(key=lambda r: (order.get(r["layer"], 99), roles.get((r["layer"], r["weight"]), 99),
                             frameworks.get(r["from_framework"], 99), r["from_env"],
                             frameworks.get(r["to_framework"], 99), r["to_api"], r["to_env"],
                             r["shape_set"] != SUITE_SIZES))
    return rows


def theory_distribution(theory: dict | None) -> theory_module.Distribution | None:
    """The porting theory of a default (measurements/porting/theory.py) as the fit module's
    Distribution, or None where it has none."""
    if not isinstance(theory, dict):
        return None
    kind, text = theory.get("distribution"), str(theory.get("text") or "")
    try:
        if kind == "uniform":
            return theory_module.uniform(-float(theory["bound"]), float(theory["bound"]), text)
        if kind == "normal":
            return theory_module.normal(0.0, float(theory["std"]), text)
        if kind == "truncated_normal":
            return theory_module.truncated_normal(0.0, float(theory["stddev_parameter"]), text)
        if kind == "constant":
            return theory_module.constant(float(theory["value"]), text)
        if kind == "gates":
            values = [float(v) for v in theory["values"]]
            levels = sorted(set(values))
            return theory_module.discrete(levels, [values.count(v) / len(values)
                                                   for v in levels], text)
        if kind == "orthogonal":
            units = int(theory["units"])
            return theory_module.orthogonal(units, units if theory.get("blocks") == 4
                                            else 4 * units, 1.0)
        if kind == "uniform_sum" and int(theory.get("terms", 2)) == 2:
            return theory_module.triangular(2.0 * float(theory["bound"]), text)
    except (KeyError, TypeError, ValueError):
        return None
    return None


def _theories(ordered_results: list[dict]) -> dict:
    """(framework, kind, role) -> the theory of its default at the suite's sizes (those of the
    cells), from any porting record at those sizes."""
    found: dict = {}
    for result in ordered_results:
        if not ported(result):
            continue
        for record in result["porting"]["records"]:
            if shape_set_of(record) != SUITE_SIZES:
                continue
            key = (record["from_framework"], record["layer_kind"], record["weight_role"])
            if isinstance(record.get("theory"), dict):
                found.setdefault(key, record["theory"])
    return found


def seeded_text(seeded) -> str:
    """What a framework cell's seeded builds showed: the call, and whether the bytes repeated in
    the process and in a second fresh process."""
    if not isinstance(seeded, dict):
        return "—"
    if not seeded.get("sha256"):
        return f"{seeded.get('seed_call') or 'seeded'}: {seeded.get('error') or 'failed'}"
    parts = [str(seeded.get("seed_call") or "seeded")]
    across = seeded.get("cross_process_identical")
    parts.append({True: "same bytes in two fresh processes",
                  False: "other bytes in a second fresh process"}.get(across, "second process "
                                                                       "not compared"))
    repeat = seeded.get("repeats_in_process")
    parts.append({True: "and again in the process", False: "not again in the process"}.get(
        repeat, ""))
    return ", ".join(p for p in parts if p)


def _entry(source: Source, api: str, status: str = schema.PORT_OK, reason: str = "") -> dict:
    sample = source.sample or {}
    return {"env": source.env, "framework": source.framework, "api": api,
            "version": source.version, "identity": source.identity, "shape": source.shape,
            "layout": source.layout, "fan_in": source.fan_in, "fan_out": source.fan_out,
            "std": sample.get("std"), "min": sample.get("min"), "max": sample.get("max"),
            "n": sample.get("n"), "status": status, "reason": reason, "sample": source.sample,
            "seeded": "—"}


def defaults_table(ordered_results: list[dict]) -> list[dict]:
    """Per porting weight, each environment's own measured default: TF/Keras where the porting
    step ran (tf.keras), every framework session in each of its APIs (torch.nn; flax.linen and
    flax.nnx; stax), with identity, shape and layout, fans, std and range, or why the API has
    no such layer (the 'layer x framework' table)."""
    rows = []
    theories = _theories(ordered_results)
    for kind, roles in schema.PORTING_LAYERS:
        for role in roles:
            entries = []
            for result in ordered_results:
                if result.get("status") != schema.ENV_OK:
                    continue
                if not result["env"].get("framework"):
                    source = source_of(result, kind, role) if ported(result) else None
                    if source is not None:
                        entries.append(_entry(source, schema.FAMILY_TF_KERAS))
                    continue
                for cell in result.get("framework_cells") or []:
                    if cell.get("layer_kind") != kind or cell.get("weight_role") != role:
                        continue
                    if cell.get("status") != schema.PORT_OK:
                        entries.append(_entry(Source(
                            framework_of(result), version_of(result), result["env"]["name"],
                            None, "—", None, None, None, None), str(cell.get("api")),
                            str(cell.get("status")), str(cell.get("reason") or "")))
                        continue
                    entries.append(_entry(Source(
                        framework_of(result), version_of(result), result["env"]["name"],
                        cell.get("sample"), _describe(cell.get("initializer")), cell.get("shape"),
                        cell.get("layout"), cell.get("fan_in"), cell.get("fan_out")),
                        str(cell.get("api"))))
                    entries[-1]["seeded"] = seeded_text(cell.get("seeded"))
            for entry in entries:
                theory = theories.get((entry["framework"], kind, role)) \
                    if entry["api"] != "jax.example_libraries.stax" else None
                entry["theory"] = str((theory or {}).get("text") or "not modelled")
                fit = goodness_of_fit(entry.pop("sample", None), theory_distribution(theory))
                entry["fit"] = fit.verdict if theory else VERDICT_NOT_TESTED
                entry["fit_detail"] = fit.detail
            rows.append({"layer": kind, "weight": role, "entries": entries})
    return rows
