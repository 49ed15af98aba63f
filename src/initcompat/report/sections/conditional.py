"""What an API family does in a case the cells do not measure: the results' `availability`
records (initcompat.probe.availability: TF_USE_LEGACY_KERAS=1 without tf_keras installed), in
version ranges per family and target. The compatibility table shows them under their family,
cells.csv carries them. Pure."""

from __future__ import annotations

from initcompat.report.availability import attempts
from initcompat.report.measured import Measured


def _line(label: str) -> str:
    """The line of a version label: a Keras session's reads 'Keras 3.4 jax' (measured.env_summary);
    ranges never join versions of two lines."""
    return label.rsplit(" ", 1)[-1] if label.startswith("Keras ") else "tensorflow"


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


def conditional_availability(measured: Measured) -> dict[tuple, list[dict]]:
    """{(api_family, legacy_keras): [{"case", "target", "segments"}]} from the results'
    `availability` records (report/availability.py's attempts, the words cells.csv carries too),
    over the primary environments that have one; segments as _availability's."""
    primaries = [(env, result) for env, result in zip(measured.envs, measured.results)
                 if env["status"] == "ok" and env["variant_of"] is None]
    found: dict[tuple, dict[tuple, list]] = {}
    for env, result in primaries:
        for attempt in attempts(result):
            place = (attempt["api_family"], attempt["legacy_keras"])
            found.setdefault(place, {}).setdefault((attempt["case"], attempt["target"]), []).append(
                (env["label"], attempt["text"], attempt["text_status"]))
    return {place: [{"case": case, "target": target, "segments": _availability(lines)}
                    for (case, target), lines in targets.items()]
            for place, targets in found.items()}
