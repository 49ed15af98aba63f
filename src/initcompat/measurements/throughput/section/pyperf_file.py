"""The throughput section's load step, its only I/O: every timed value from each result's pyperf file."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable



@dataclass(frozen=True)
class PyperfValues:
    """One result's raw timings: where they were read from, or why there are none."""

    path: Path | None = None  # None: the result has no throughput block, or no file was found
    values: dict[str, list[float]] = field(default_factory=dict)  # benchmark name -> values
    error: str | None = None  # the file was found but could not be read


def read_pyperf_values(path: Path) -> dict[str, list[float]]:
    """{benchmark name: every timed value} of a pyperf JSON file (warmups excluded).

    Reads pyperf's format directly (version 1.0): a benchmark's name is in its metadata, or in
    the suite's metadata when pyperf hoisted it there; runs without values are calibration runs.
    """
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    document = json.loads(raw.decode("utf-8"))
    common = document.get("metadata") or {}
    found: dict[str, list[float]] = {}
    for benchmark in document.get("benchmarks") or []:
        name = (benchmark.get("metadata") or {}).get("name") or common.get("name")
        if not name:
            continue
        values = found.setdefault(name, [])
        for run in benchmark.get("runs") or []:
            values.extend(float(v) for v in run.get("values") or [])
    return found


def find_pyperf_file(result: dict, results_dirs: Iterable) -> Path | None:
    """The pyperf file of a result: beside its result file, else anywhere under the results."""
    block = result.get("throughput") or {}
    name = block.get("pyperf_file") or f"{result['env']['name']}.pyperf.json"
    candidates = []
    if result.get("_source"):
        candidates.append(Path(result["_source"]).parent / name)
    for source in results_dirs or []:
        source = Path(source)
        folder = source if source.is_dir() else source.parent
        candidates.append(folder / name)
        if source.is_dir():
            candidates.extend(sorted(folder.rglob(name)))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def pyperf_path(result: dict, results_dirs: Iterable) -> Path | None:
    """The file the loader joined to the result ("_files": only ever beside its throughput
    summary); find_pyperf_file's search only for a result that did not come through the loader."""
    files = result.get("_files")
    if files is not None:
        joined = files.get("pyperf")
        return Path(joined) if joined and Path(joined).is_file() else None
    return find_pyperf_file(result, results_dirs)


def load_pyperf(ordered_results: list[dict], results_dirs: Iterable) -> list[PyperfValues]:
    """The raw values of every result that has a throughput block, in the results' order."""
    loaded = []
    for result in ordered_results:
        path = pyperf_path(result, results_dirs) if result.get("throughput") else None
        try:
            loaded.append(PyperfValues(path, read_pyperf_values(path) if path else {}))
        except (OSError, ValueError, TypeError, AttributeError) as error:  # any malformed file
            detail = error.strerror if isinstance(error, OSError) and error.strerror else error
            loaded.append(PyperfValues(path, {}, f"pyperf file {path.name}: {detail}"))
    return loaded
