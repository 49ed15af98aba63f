"""The Porting section, for a porter: per direction (PyTorch → TF/Keras first), one row per
distinct snippet, the code that builds the target's layer with the source's default in every
weight for any layer size, and under it what the porting step measured (comparisons.py): the
snippet's draws in each target version against each source version's own draws, at the
suite's sizes and at a second set, folded into a line per weight. Then, in folds, each
framework's measured default and every comparison. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.measured import FRAMEWORK_LABELS, Measured
from initcompat.measurements.porting.section.comparisons import (
    DIFFERS, FLAX_NNX, INEXPRESSIBLE, MATCHES, NOT_COMPARED, SIZES_MARK, SNIPPET_ERROR, SUITE_SIZES,
    defaults_table, ported, porting_rows)

TF, TORCH, FLAX = schema.FRAMEWORK_TF_KERAS, schema.FRAMEWORK_TORCH, schema.FRAMEWORK_FLAX
# reports/porting.csv: these columns first (outputs.table_csv), the rest after them.
PORTING_COLUMNS = ["layer", "weight", "from_framework", "from_version", "to_framework",
                   "snippet", "verdict", "statistic", "default_verdict", "default_statistic",
                   "imports", "to_version", "from_env", "to_env",
                   "status", "theory", "from_identity", "from_layout", "from_shape", "to_shape",
                   "notes", "reason", "shape_set", "sizes", "to_api"]
VERDICT_CLASS = {MATCHES: "ok", DIFFERS: "ch", INEXPRESSIBLE: "na", SNIPPET_ERROR: "er"}
VERDICT_WORDS = {MATCHES: "matches", DIFFERS: "differs", INEXPRESSIBLE: "no code",
                 SNIPPET_ERROR: "raised", NOT_COMPARED: "not compared"}
FRAMEWORK_NAMES = dict(FRAMEWORK_LABELS, **{TF: "TF/Keras"})
# A target by what its code uses: Flax's two APIs apart.
TARGET_NAMES = dict(FRAMEWORK_NAMES, **{FLAX: "Flax linen", FLAX_NNX: "Flax nnx"})
# The porter's directions, the first (PyTorch nn.Linear in Keras) first.
DIRECTIONS = ((TORCH, TF), (TF, TORCH), (FLAX, TF), (TF, FLAX), (TF, FLAX_NNX), (TORCH, FLAX),
              (TORCH, FLAX_NNX), (FLAX, TORCH))
LEADS = {
    (TORCH, TF): "PyTorch draws a Linear's or Conv2d's weight and bias from U(−1/√fan_in, "
                 "1/√fan_in). The weight is Keras' VarianceScaling(scale=1/3, mode=\"fan_in\", "
                 "distribution=\"uniform\") on any shape; the bias needs fan_in written out, "
                 "because a Keras bias initializer sees only the bias's own shape. Embedding is "
                 "N(0, 1); the LSTM draws everything from U(±1/√units), its bias twice "
                 "(b_ih + b_hh), and Keras' forget-gate ones must be turned off.",
    (TF, TORCH): "Keras' Glorot uniform is PyTorch's xavier_uniform_ on any shape (both layouts "
                 "give the same fans); biases are zeros. An LSTM's recurrent kernel is one "
                 "orthogonal matrix and its forget-gate bias is 1 (unit_forget_bias).",
    (FLAX, TF): "Flax's lecun_normal is Keras' LecunNormal; Embed's N(0, 1/features) is "
                "VarianceScaling(mode=\"fan_out\") on Keras' (input_dim, output_dim) table; "
                "LSTMCell's recurrent kernel is one orthogonal block per gate, written as a "
                "three-line initializer.",
    (TF, FLAX): "Glorot uniform and zeros are Flax built-ins. Flax's LSTMCell gives each gate its "
                "own kernel, so Keras' Glorot over all four gates is a formula with the sizes "
                "named, and its one orthogonal recurrent matrix and forget-gate ones are set "
                "after init.",
    (TF, FLAX_NNX): "The same initializers as in linen, given to nnx's layers, which take every "
                    "size and hold their weights: Keras' one orthogonal recurrent matrix and "
                    "forget-gate ones are assigned to the LSTMCell's gates after construction.",
    (TORCH, FLAX_NNX): "As in linen: variance_scaling(1/3, \"fan_in\", \"uniform\") for the "
                       "weight, the bias with fan_in written out, the LSTM U(±1/√hidden_features) "
                       "everywhere.",
    (TORCH, FLAX): "The weight is variance_scaling(1/3, \"fan_in\", \"uniform\") on any shape; the "
                   "bias needs fan_in written out (a Flax bias_init sees only the bias's "
                   "shape); the LSTM draws everything from U(±1/√features).",
    (FLAX, TORCH): "PyTorch has no fan-based truncated normal: a four-line lecun_normal_ reads "
                   "fan_in off the weight it is given (it calls trunc_normal_, which PyTorch has "
                   "from 1.7). Embed's N(0, 1/features) is kaiming_normal_ with "
                   "nonlinearity=\"linear\".",
}
LAYERS = {TF: {"dense": "keras.layers.Dense", "conv2d": "keras.layers.Conv2D",
               "embedding": "keras.layers.Embedding", "lstm": "keras.layers.LSTM"},
          TORCH: {"dense": "torch.nn.Linear", "conv2d": "torch.nn.Conv2d",
                  "embedding": "torch.nn.Embedding", "lstm": "torch.nn.LSTM"},
          FLAX: {"dense": "flax.linen.Dense", "conv2d": "flax.linen.Conv",
                 "embedding": "flax.linen.Embed", "lstm": "flax.linen.LSTMCell"},
          FLAX_NNX: {"dense": "flax.nnx.Linear", "conv2d": "flax.nnx.Conv",
                     "embedding": "flax.nnx.Embed", "lstm": "flax.nnx.LSTMCell"}}
# A weight in the target's own words (the code's words).
WEIGHT_NAMES = {TORCH: {("lstm", "kernel"): "weight_ih", ("lstm", "recurrent_kernel"): "weight_hh",
                        ("lstm", "bias"): "bias_ih + bias_hh", "kernel": "weight",
                        "embeddings": "weight"},
                FLAX: {("lstm", "kernel"): "kernel (ii…io)",
                       ("lstm", "recurrent_kernel"): "recurrent kernel (hi…ho)",
                       ("lstm", "bias"): "bias (hi…ho)", "embeddings": "embedding"},
                FLAX_NNX: {("lstm", "kernel"): "kernel (ii…io)",
                           ("lstm", "recurrent_kernel"): "recurrent kernel (hi…ho)",
                           ("lstm", "bias"): "bias (hi…ho)", "embeddings": "embedding"},
                TF: {"recurrent_kernel": "recurrent_kernel"}}


@dataclass(frozen=True)
class Porting:
    envs: list[str]  # the environments that ran the porting step, in version order
    lead: str  # what the section gives, and how much of it was verified
    directions: list[dict]  # {"id", "title", "lead", "imports", "rows": [snippet row]}
    counts: dict  # verdict -> number of comparisons
    failed: list[dict]  # {"env", "status", "reason"}: a porting step that did not run
    defaults: list[dict]  # per weight: {"layer", "weight", "entries": [...]}
    comparisons: list[dict]  # every comparison (the fold), as porting_rows gives them
    table: list[dict]  # reports/porting.csv


OWN = {TF: "Keras'", TORCH: "PyTorch's", FLAX: "Flax's"}  # "...'s own default"


def _short(version: str) -> str:
    """A version without its local label: 2.15.0+cu132 -> 2.15.0 (the CUDA build's tag)."""
    return str(version).split("+", 1)[0]


def _version_key(version: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", str(version))[:4])


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _versions(framework: str, versions) -> str:
    return f"{'TF' if framework == TF else FRAMEWORK_NAMES.get(framework, framework)} " + \
        ", ".join(sorted({_short(v) for v in versions}, key=_version_key))


def body_of(code: str) -> str:
    """A snippet without its first line where that line names the sizes: the same body is the
    same snippet at any size."""
    first, _, rest = code.partition("\n")
    return rest if first.rstrip().endswith(SIZES_MARK) else code


def _where(comparisons: list[dict]) -> str:
    """Where a set of comparisons ran, in words: the target versions, the source versions and
    the sizes; per target version when the set is not every combination."""
    targets = sorted({c["to_version"] for c in comparisons}, key=_version_key)
    sources = sorted({c["from_version"] for c in comparisons}, key=_version_key)
    sizes = list(dict.fromkeys(c["sizes"] or "the suite's sizes" for c in comparisons))
    first = comparisons[0]
    if len({(c["to_version"], c["from_version"], c["sizes"]) for c in comparisons}) == \
            len(targets) * len(sources) * len(sizes):
        return (f"in {_versions(first['to_framework'], targets)} against "
                f"{_versions(first['from_framework'], sources)} at {_joined(sizes)}")
    return "; ".join(
        f"in {_versions(first['to_framework'], [t])} against "
        + ", ".join(f"{_short(c['from_version'])} at {c['sizes'] or 'the suite sizes'}"
                    for c in comparisons if c["to_version"] == t) for t in targets)


def _part(verdict: str, comparisons: list[dict]) -> str:
    """One verdict's comparisons in words, with the first statistic or error of a non-match."""
    text = f"{VERDICT_WORDS.get(verdict, verdict)} {_where(comparisons)}"
    if verdict != MATCHES:
        details = list(dict.fromkeys(c["statistic"] for c in comparisons if c["statistic"]))
        if details:
            text += f" ({details[0][:200]})"
    return text


ORDER = [MATCHES, DIFFERS, SNIPPET_ERROR, INEXPRESSIBLE, NOT_COMPARED]


def _worst(verdicts) -> str:
    found = set(verdicts)
    return next((v for v in ORDER[1:] if v in found), MATCHES) if found else NOT_COMPARED


def _weight_line(framework: str, kind: str, role: str, comparisons: list[dict]) -> dict:
    """One weight of a snippet row: its verdict in the newest target version measured (the
    against every source version, at every size), and every verdict in words."""
    verdicts = sorted(dict.fromkeys(c["verdict"] for c in comparisons),
                      key=lambda v: ORDER.index(v) if v in ORDER else len(ORDER))
    newest = max((c["to_version"] for c in comparisons), key=_version_key)
    latest = _worst(c["verdict"] for c in comparisons if c["to_version"] == newest)
    controls = [c["default_verdict"] for c in comparisons if c["default_verdict"] != NOT_COMPARED]
    name = OWN.get(framework, f"{framework}'s")
    if not controls:
        control = ""
    elif all(v == DIFFERS for v in controls):
        control = f"Without it, {name} own default differs"
    elif all(v == MATCHES for v in controls):
        control = f"{name[:1].upper() + name[1:]} own default draws the same"
    else:
        control = (f"Without it, {name} own default differs in "
                   f"{sum(v == DIFFERS for v in controls)} of {len(controls)} comparisons")
    names = WEIGHT_NAMES.get(framework, {})
    parts = [_part(v, [c for c in comparisons if c["verdict"] == v]) for v in verdicts]
    return {"name": names.get((kind, role)) or names.get(role) or role, "verdict": latest,
            "word": VERDICT_WORDS.get(latest, latest) + ("" if len(verdicts) == 1
                                                         else " in the newest"),
            "css": VERDICT_CLASS.get(latest, "mi"), "everywhere": len(verdicts) == 1,
            "parts": parts,
            # one verdict: its tag says it, the text says where
            "text": _where(comparisons) if len(verdicts) == 1 else "; ".join(parts),
            "control": control, "comparisons": len(comparisons)}


def snippet_rows(rows: list[dict]) -> list[dict]:
    """One entry per distinct snippet: (source, target, layer, code after its sizes line), with
    the code at the suite's sizes and one line per weight over every comparison it had."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        target = row.get("to_api") or row["to_framework"]
        key = (row["from_framework"], target, row["layer"], body_of(row["snippet"]))
        group = groups.setdefault(key, {"from_framework": row["from_framework"],
                                        "to_framework": target,
                                        "layer": row["layer"], "code": {}, "reason": "",
                                        "weights": {}})
        if row["snippet"] and not group["code"].get(row["shape_set"]):
            group["code"][row["shape_set"]] = row["snippet"]
        group["reason"] = group["reason"] or row["reason"]
        group["weights"].setdefault(row["weight"], []).append(row)
    out = []
    for group in groups.values():
        to, kind = group["to_framework"], group["layer"]
        weights = [_weight_line(to, kind, role, comparisons)
                   for role, comparisons in group["weights"].items()]
        lines: dict[tuple, dict] = {}  # weights with the same words share one line
        for weight in weights:
            key = (weight["word"], weight["text"], weight["control"])
            line = lines.setdefault(key, dict(weight, names=[]))
            line["names"].append(weight["name"])
        out.append({"from_framework": group["from_framework"], "to_framework": to,
                    "lines": [dict(line, name=", ".join(line["names"])) for line in lines.values()],
                    "layer": kind, "reason": group["reason"],
                    "code": group["code"].get(SUITE_SIZES)
                    or next(iter(group["code"].values()), ""),
                    "title": f"{LAYERS.get(group['from_framework'], {}).get(kind, kind)} → "
                             f"{LAYERS.get(to, {}).get(kind, kind)}",
                    "weights": weights,
                    "css": "ok" if all(w["verdict"] == MATCHES for w in weights) else "ch"})
    return out


def _newest(results: list[dict]) -> str:
    """The newest target version of each framework that ran the porting step."""
    newest: dict[str, tuple] = {}
    for result in results:
        if not ported(result):
            continue
        body = result["porting"]
        framework = body.get("framework") or TF
        versions = body.get("versions") or {}
        version = _short(str(versions.get({TF: "tensorflow"}.get(framework, framework)) or "?"))
        label = f"{FRAMEWORK_NAMES.get(framework, framework)} {version}"
        if framework == TF and versions.get("keras"):
            label = f"TF {version} with Keras {versions['keras']}"
        if framework not in newest or _version_key(version) > newest[framework][0]:
            newest[framework] = (_version_key(version), label)
    return _joined([newest[f][1] for f in schema.PORTING_FRAMEWORKS if f in newest]) \
        if newest else ""


def build_porting(measured: Measured) -> Porting:
    results = measured.results
    rows = porting_rows(results)
    for row in rows:
        row["css"] = VERDICT_CLASS.get(row["verdict"], "mi")
        row["default_css"] = VERDICT_CLASS.get(row["default_verdict"], "mi")
    imports: dict[str, str] = {}
    failed = []
    for result in results:
        body = result.get("porting")
        if not body:
            continue
        if ported(result):
            imports.setdefault(body.get("framework") or TF, str(body.get("imports") or ""))
            for api, code in (body.get("api_imports") or {}).items():
                imports.setdefault(str(api), str(code))
        elif body.get("status") not in (schema.STEP_SKIPPED, schema.ENV_OK):
            failed.append({"env": result["env"]["name"], "status": str(body.get("status")),
                           "reason": str(body.get("reason") or "")})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    snippets = snippet_rows(rows)
    directions = []
    for source, target in DIRECTIONS + tuple(sorted(
            {(s["from_framework"], s["to_framework"]) for s in snippets} - set(DIRECTIONS))):
        mine = [s for s in snippets if (s["from_framework"], s["to_framework"]) == (source, target)]
        if mine:
            directions.append({"id": f"porting-{source}-{target}".replace(".", "-"),
                               "title": f"{FRAMEWORK_NAMES.get(source, source)} → "
                                        f"{TARGET_NAMES.get(target, target)}",
                               "lead": LEADS.get((source, target), ""),
                               "imports": imports.get(target, ""), "rows": mine})
    weights = [w for s in snippets for w in s["weights"]]
    matching = sum(w["verdict"] == MATCHES for w in weights)
    everywhere = sum(w["verdict"] == MATCHES and w["everywhere"] for w in weights)
    sizes = sorted({r["shape_set"] for r in rows})
    releases: dict[str, set] = {}
    for row in rows:
        releases.setdefault(row["to_framework"], set()).add(row["to_version"])
    older = any(len(versions) > 1 for versions in releases.values())
    lead = ""
    if weights:
        lead = (f"Each block below builds the target framework's layer with the source "
                f"framework's default in every weight, for any layer size: put your sizes in "
                f"its first line. Each was run in the target framework (the newest releases "
                f"measured: {_newest(results)}{', and older ones' if older else ''}) at "
                f"{'two sets of sizes' if len(sizes) > 1 else 'the suite sizes'}, and its "
                f"draws compared with the source framework's own: {matching} of {len(weights)} "
                f"weights match in the newest, against every source version")
        if everywhere < matching:
            lead += (f"; {matching - everywhere} of them not in an older release (each says "
                     f"which)")
        if matching < len(weights):
            lead += f"; {len(weights) - matching} do not (each says why)"
        lead += "."
    table = [{key: (" | ".join(value) if isinstance(value, list) and key == "notes" else value)
              for key, value in row.items() if key not in ("css", "default_css")}
             for row in rows]
    defaults = defaults_table(results)
    for group in defaults:
        for entry in group["entries"]:
            entry["label"] = FRAMEWORK_NAMES.get(entry["framework"], entry["framework"])
            entry["css"] = "" if entry["status"] == schema.PORT_OK else "na"
    return Porting(envs=[r["env"]["name"] for r in results if ported(r)], lead=lead,
                   directions=directions, counts=counts, failed=failed,
                   defaults=[g for g in defaults if g["entries"]], comparisons=rows, table=table)


# The report's CSV files of this section: (file name, its rows from the section, columns first).
CSV_TABLES = (("porting.csv", lambda section: section.table, PORTING_COLUMNS),)
