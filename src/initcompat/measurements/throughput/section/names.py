"""What the throughput section calls each environment, and which chart (a "group") and which
place on that chart's version axis (a "category") it takes. From the env record and the
packages recorded as installed; pure.

A name says what the environment is: "TF 2.15", "Keras 3.4.1 · jax", "PyTorch 2.15". Where
several environments measure the same version, the name adds what tells them apart: the TF
patch release where those differ, then the Keras that was installed and how it was resolved
("TF 2.16.2 · Keras 3.4.1, as released" against "TF 2.16.2 · today: Keras 3.15.1"), then the
environment's own suffix ("· gpu") if that is still not enough.
"""

from __future__ import annotations

import re

from initcompat.report.describe import short_version
from initcompat.report.frame import FRAMEWORK_LABELS, LINES, env_label, line_of, version_key

TODAY = "today"


def packages(result: dict) -> dict:
    return ((result.get("installed") or {}).get("packages") or {})


def resolution(result: dict) -> str:
    """"today" (newest dependencies as of the run) or "as-released" (what was out by the date)."""
    return ((result.get("install") or {}).get("resolution") or result["env"].get("resolution")
            or "as-released")


def tensorflow_version(result: dict) -> str:
    return str(packages(result).get("tensorflow") or result["env"].get("tensorflow") or "")


def keras_version(result: dict) -> str | None:
    found = packages(result).get("keras") or result["env"].get("keras")
    return str(found) if found else None


def axis_version(result: dict) -> str:
    """The version that places an environment on its chart's axis: TF's on TensorFlow's line,
    the Keras release on a Keras line, the framework's on a framework's."""
    env = result["env"]
    if env.get("framework"):
        return str(env.get("framework_version") or "?")
    if line_of(env) != "tensorflow":
        return keras_version(result) or "?"
    return tensorflow_version(result)


def axis_label(version: str) -> str:
    """A short label for the version axis: '2.16' for 2.16.2 (and 0.12 for 0.12.0.1), '2.22 dev'
    for a nightly."""
    release = re.match(r"^(\d+\.\d+)(\.\d+)+$", version or "")
    if release:
        return release.group(1)
    match = re.match(r"^(\d+\.\d+)\.\d+\.?(dev|rc|a|b)", version or "")
    return f"{match.group(1)} {match.group(2)}" if match else short_version(version)


def _major(version: str) -> str:
    return (version or "?").split(".", 1)[0]


def group_of(result: dict) -> dict:
    """The chart an environment is drawn on: {key, title, axis, x_title, order}.

    TensorFlow's line splits by major release (TF 1.x, TF 2.x); the Keras axis on TensorFlow
    splits into multi-backend Keras 2 and Keras 3; Keras 3 on every backend shares one axis
    (axis: charts with the same axis list the same versions)."""
    env = result["env"]
    line = line_of(env)
    rank = LINES.index(line) if line in LINES else len(LINES)
    if env.get("framework"):
        label = FRAMEWORK_LABELS.get(env["framework"], env["framework"])
        return {"key": line, "title": label, "axis": line, "x_title": f"{label} version",
                "order": (rank, line, 0)}
    if line == "tensorflow":
        major = _major(tensorflow_version(result))
        return {"key": f"tf{major}", "title": f"TF {major}.x", "axis": f"tf{major}",
                "x_title": "TensorFlow version", "order": (rank, line, int(major) if
                                                           major.isdigit() else 99)}
    backend = env.get("backend") or "?"
    major = _major(keras_version(result) or "")
    title = (f"Keras {major} (multi-backend) · {backend}" if major == "2"
             else f"Keras {major} · {backend}")
    return {"key": f"keras{major}-{backend}", "title": title, "axis": f"keras{major}",
            "x_title": "Keras version", "order": (rank if major != "2" else 0.5, line,
                                                  int(major) if major.isdigit() else 99)}


def _base_name(result: dict) -> str:
    env = result["env"]
    if env.get("framework"):
        return env_label(env)
    if line_of(env) == "tensorflow":
        return f"TF {short_version(tensorflow_version(result))}"
    keras = keras_version(result) or "?"
    backend = env.get("backend") or "?"
    if backend == "tensorflow" and tensorflow_version(result):
        return f"Keras {keras} · TF {short_version(tensorflow_version(result))}"
    return f"Keras {keras} · {backend}"


def display_names(results: list[dict], variant_of: dict[str, str | None]) -> dict[str, str]:
    """Environment name -> what the section calls it (see the module's docstring)."""
    by_base: dict[str, list[dict]] = {}
    for result in results:
        by_base.setdefault(_base_name(result), []).append(result)
    names = {}
    for base, group in by_base.items():
        if len(group) == 1:
            (result,) = group
            today = resolution(result) == TODAY
            names[result["env"]["name"]] = base + (", resolved today" if today else "")
            continue
        full_differs = len({tensorflow_version(r) for r in group}) > 1
        for result in group:
            env = result["env"]
            name = base
            if line_of(env) == "tensorflow":
                if full_differs:
                    name = f"TF {tensorflow_version(result)}"
                keras = keras_version(result)
                if resolution(result) == TODAY:
                    name += f" · today: Keras {keras}" if keras else " · today"
                elif keras:
                    name += f" · Keras {keras}, as released"
            elif resolution(result) == TODAY:
                name += ", resolved today"
            names[env["name"]] = name
        _separate_duplicates(group, names, variant_of)
    return names


def _separate_duplicates(group: list[dict], names: dict[str, str],
                         variant_of: dict[str, str | None]) -> None:
    """Two environments still called the same: the variant gets its own suffix ("· gpu")."""
    seen: dict[str, list[str]] = {}
    for result in group:
        seen.setdefault(names[result["env"]["name"]], []).append(result["env"]["name"])
    for shown, env_names in seen.items():
        if len(env_names) < 2:
            continue
        for env_name in env_names:
            primary = variant_of.get(env_name)
            if primary:
                suffix = env_name[len(primary):].lstrip("-_.") if env_name.startswith(primary) \
                    else env_name
                names[env_name] = f"{shown} · {suffix or env_name}"
            elif env_name != env_names[0] or all(variant_of.get(n) is None for n in env_names):
                names[env_name] = f"{shown} ({env_name})"


def _release(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", version or "")
    return tuple(int(p or 0) for p in match.groups()) if match else None


def follows(before: str, after: str) -> bool:
    """Whether `after` is the release right after `before` (the next minor of the same major, or
    the next patch of the same minor): only then may a chart's line join them. Where releases
    lie between (PyTorch 1.0 and 1.13), they were not measured, and the line breaks."""
    first, second = _release(before), _release(after)
    if not first or not second or first[0] != second[0]:
        return False
    return second[1] == first[1] + 1 or (second[1] == first[1] and second[2] == first[2] + 1)


def categories(results: list[dict]) -> list[dict]:
    """The version axis shared by environments (already in one group or one shared axis):
    one category per distinct axis version, in version order: {version, label, follows} (follows:
    the release right after the previous category). A label is the short version unless two
    versions share it (2.16.1 and 2.16.2 are then both shown)."""
    versions = sorted({axis_version(r) for r in results}, key=version_key)
    short = [axis_label(v) for v in versions]
    return [{"version": v, "label": label if short.count(label) == 1 else v,
             "follows": i > 0 and follows(versions[i - 1], v)}
            for i, (v, label) in enumerate(zip(versions, short))]
