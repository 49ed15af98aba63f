"""The first screen: the seed question's answer (what tf.layers.dense/conv2d and the Keras
Dense/Conv2D draw when no initializer is passed, with the formula and a measured example, and
in which versions), what `pip install tensorflow` gives today, and where each reader goes next.
Read off the compatibility table (sections/compat.py), so it says what the table says. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from initcompat.report import fit
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured
from initcompat.report.sections.compat import Compat, columns_of

# The families the seed question and its upgrade path are about, in the order the answer
# lists them; each shows its dense and conv2d rows (sections/compat.py HEADLINE_KINDS).
FAMILIES = (("tf.layers", False), ("tf.compat.v1.layers", False), ("tf.keras", False),
            ("keras", False))
KINDS = ("dense", "conv2d")
ROLES = ("kernel", "bias")


@dataclass(frozen=True)
class Summary:
    lines: list[dict]  # {"family", "calls", "weights": [{"role", "text", "formula", "example"}], "where": [str]}
    today: list[dict]  # {"name", "tensorflow", "keras", "tf_keras"}: the "today" variants, newest last
    environments: int  # how many environments the page reads
    failed: int  # how many of them did not measure
    suites_note: str | None = None  # report.suites: the suite shown when not the default, or mixed


def _formula(theory: str | None) -> str | None:
    """'uniform on ±√(6/(fan_in+fan_out))' from the theory's own words, or None."""
    if not theory:
        return None
    match = re.search(r"limit=sqrt\(([^;]*)\);", theory)
    if match:
        return f"uniform on ±√({match.group(1)})"
    match = re.search(r"sigma=sqrt\(([^)]*(?:\([^)]*\))?[^)]*)\)", theory)
    if match and theory.startswith("normal truncated"):
        return f"normal truncated at ±2σ, std √({match.group(1)})"
    return None


def _example(cell: dict, theory: str | None) -> str | None:
    """'±0.21 for the measured 96×40 Dense kernel' from the cell's shape and the theory."""
    shape = cell.get("shape")
    match = re.match(r"uniform on ±([\d.]+)", theory or "")
    if match and shape:
        return f"±{match.group(1)} for the measured {'×'.join(str(d) for d in shape)} " \
               f"{cell.get('layer') or ''} {cell.get('weight_role')}".replace("  ", " ")
    return None


def _rows(compat: Compat, family_name: str, role: str) -> list[dict]:
    return [row for group in compat.families if group["family"] == family_name
            for row in group["headline"] if row["kind"] in KINDS and row["role"] == role]


def answered_columns(compat: Compat, family_name: str) -> list[int]:
    """The compatibility columns a family's answer reads: a tf.* family (tf.layers,
    tf.compat.v1.layers, tf.keras) is what `import tensorflow` gives, so only TensorFlow's own
    lines (TF 1.x, TF 2.x), never the standalone Keras environments that also have TensorFlow
    installed; `keras` every line."""
    return [index for index, column in enumerate(compat.columns)
            if not family_name.startswith("tf.") or column["id"].startswith("tf")]


def _weight(measured: Measured, compat: Compat, family: tuple, role: str,
            column_envs: list[dict]) -> dict | None:
    """What one family's Dense and Conv2D draw for `role`: the words of their bands in page
    order (a band already folds renames: 'Glorot uniform', not TF 1.4's spelled-out variance
    scaling), joined by → where they change — or, where every band draws what it declares and
    all declare one formula (Keras 2.0's variance scaling with fan_avg, uniform, scale 1 is Glorot
    uniform), named once with its other spellings; the formula and a Dense example."""
    chosen = answered_columns(compat, family_label(*family))
    bands = [band for row in _rows(compat, family_label(*family), role)
             for index in chosen for band in row["cells"][index]
             if band["status"] in ("ok", "finding", "unchecked")]
    texts = list(dict.fromkeys(band["text"] for band in bands))
    all_as_declared = all(band["status"] == "ok" for band in bands)
    if not texts:
        return None
    formulas, example, unnamed = set(), None, []
    for kind in KINDS:
        key = (family[0], family[1], kind, role)
        for env in column_envs:
            cell = measured.cells.get((key, env["name"]))
            analysis = measured.analyses.get((key, env["name"]))
            if not cell or cell["status"] != "ok" or not analysis or \
                    analysis.fit_verdict == fit.VERDICT_INCONSISTENT:
                continue
            formula = _formula(analysis.theory)
            if formula:
                formulas.add(formula)
            else:  # a distribution the formula words do not name: no claim of sameness
                unnamed.append(key)
            if kind == "dense":
                example = _example(cell, analysis.theory) or example
    text = " → ".join(texts)
    if len(texts) > 1 and len(formulas) == 1 and all_as_declared and not unnamed:
        # every band draws what it declares, and all declare one distribution: spellings
        text = f"{texts[0]} (declared as {', '.join(texts[1:])} in some versions: the same draw)"
    return {"role": role, "text": text,
            "formula": "; ".join(sorted(formulas)) or None, "example": example}


def _where(compat: Compat, family_name: str) -> list[str]:
    """Per line, the bands of the family's dense kernel ('TF 1.x: 1.4–1.15', 'TF 2.x: raises
    AttributeError (2.0–2.21)'); lines with the same bands share one entry ('Keras 3 · jax,
    torch: 3.0–3.15'), so the first screen stays a screen."""
    entries: dict[str, list[str]] = {}
    chosen = answered_columns(compat, family_name)
    for group in compat.families:
        if group["family"] != family_name:
            continue
        rows = [r for r in group["headline"] if r["kind"] == "dense" and r["role"] == "kernel"]
        for row in rows:
            for index in chosen:
                column, bands = compat.columns[index], row["cells"][index]
                if not bands:
                    continue
                parts = [band["range"] if band["status"] in ("ok", "unchecked", "finding")
                         else f"{band['text']} ({band['range']})" for band in bands]
                entries.setdefault(", ".join(parts), []).append(column["title"])
    out = []
    for parts, titles in entries.items():
        prefixes = {title.split(" · ")[0] for title in titles}
        if len(titles) > 1 and len(prefixes) == 1 and all(" · " in t for t in titles):
            title = f"{prefixes.pop()} · {', '.join(t.split(' · ', 1)[1] for t in titles)}"
        else:
            title = " / ".join(titles)
        out.append(f"{title}: {parts}")
    return out


def build_summary(measured: Measured, compat: Compat, every_env: list[dict],
                  suites_note: str | None = None) -> Summary:
    """The answer from the TF/Keras environments; the counts over `every_env` (frameworks too)."""
    columns = columns_of(measured)
    lines = []
    for family in FAMILIES:
        name = family_label(*family)
        chosen = {compat.columns[index]["id"] for index in answered_columns(compat, name)}
        envs = [env for column in columns if column["id"] in chosen for env in column["envs"]]
        weights = [w for w in (_weight(measured, compat, family, role, envs) for role in ROLES)
                   if w]
        if not weights:
            continue
        prefix = name if name.startswith("tf.") and "keras" not in name else f"{name}.layers"
        calls = [f"{prefix}.dense", f"{prefix}.conv2d"] if "keras" not in name else \
            [f"{prefix}.Dense", f"{prefix}.Conv2D"]
        lines.append({"family": name, "calls": calls, "weights": weights,
                      "where": _where(compat, name)})
    today = [{"name": env["name"], "tensorflow": env["tensorflow"], "keras": env.get("keras"),
              "tf_keras": env.get("tf_keras")}
             for env in measured.envs if env.get("variant") == "today" and env["status"] == "ok"]
    return Summary(lines=lines, today=today[-1:], environments=len(every_env),
                   failed=sum(1 for env in every_env if env["status"] != "ok"),
                   suites_note=suites_note)
