"""The declarative matrix in suites/matrix.toml: which environments exist, with tags: TensorFlow
releases, and sessions of the Keras axis (a Keras release on one backend).

Host side (noxfile, CI matrix generation); stdlib only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11 running nox
    import tomli as tomllib  # type: ignore[no-redef]

RESOLUTIONS = ("as-released", "today")
UNPINNED = ("*", "latest")  # `tensorflow = "*"`: whatever is newest (nightly sessions)
NO_TENSORFLOW = "none"  # a Keras session on JAX, PyTorch or NumPy installs no TensorFlow
BACKENDS = ("tensorflow", "jax", "torch", "numpy")
# Frameworks beside TensorFlow/Keras (issue 16, porting): `framework = "torch"` and `version`
# in an env block; such a session installs no TensorFlow and runs initcompat.probe.frameworks.
# Each is the package(s) its version pins.
FRAMEWORK_PACKAGES = {"torch": ("torch",), "flax": ("flax",), "jax-stax": ("jax", "jaxlib")}
FRAMEWORKS_TAG = "frameworks"
DEFAULT_TAG = "default"
HISTORY_TAG = "history"


class MatrixError(ValueError):
    """The matrix file is unusable; the message names the file and the problem."""


@dataclass(frozen=True)
class Pin:
    spec: str
    reason: str


@dataclass(frozen=True)
class Entry:
    """One environment: a TensorFlow release on one Python, with how to install it."""

    name: str
    tensorflow: str
    python: str
    released: str | None
    package: str = "tensorflow"
    extra: tuple[str, ...] = ()
    pins_today: tuple[Pin, ...] = ()
    pyperf: str | None = None
    tags: tuple[str, ...] = ()
    keras: str | None = None  # a Keras session: the Keras release (its own axis)
    backend: str | None = None  # KERAS_BACKEND of a Keras session: jax, torch, numpy, tensorflow
    resolution: str | None = None  # a variant's own resolution ("today"), whatever the default
    framework_name: str | None = None  # a framework session: torch, flax, jax-stax
    framework_version: str | None = None  # ... and the release of its package(s)

    def resolved(self, default: str) -> str:
        """The resolution this entry installs with: its own, else the matrix's."""
        return self.resolution or default

    @property
    def framework(self) -> str:
        """'keras' for a session of the Keras axis (KERAS_BACKEND set), the framework of a
        framework session (torch, flax, jax-stax), else 'tensorflow'."""
        return self.framework_name or ("keras" if self.keras else "tensorflow")

    def requirements(self, resolution: str) -> list[str]:
        """What `uv pip install` gets for this entry under a resolution mode."""
        pinned = self.tensorflow not in UNPINNED
        requirements = [] if self.tensorflow == NO_TENSORFLOW else [
            f"{self.package}=={self.tensorflow}" if pinned else self.package]
        if self.keras:
            requirements.append(f"keras=={self.keras}")
        if self.framework_name:
            requirements.extend(f"{package}=={self.framework_version}"
                                for package in FRAMEWORK_PACKAGES[self.framework_name])
        requirements.extend(self.extra)
        if resolution == "today":
            requirements.extend(pin.spec for pin in self.pins_today)
        return requirements

    def exclude_newer(self, resolution: str) -> str | None:
        """The date cut for the as-released mode: two days after the release."""
        if resolution != "as-released" or not self.released:
            return None
        cut = date.fromisoformat(self.released) + timedelta(days=2)
        return cut.isoformat() + "T00:00:00Z"

    def install_key(self, resolution: str) -> str:
        """A hash of everything that decides the installed environment (for reuse)."""
        spec = {"python": self.python, "requirements": self.requirements(resolution),
                "exclude_newer": self.exclude_newer(resolution), "pyperf": self.pyperf,
                "layout": 2}  # bump when environments.py changes how environments are built
        return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Matrix:
    entries: tuple[Entry, ...]
    suite: str
    resolution: str
    probe_timeout: float
    results: str
    path: Path = field(compare=False, default=Path("suites/matrix.toml"))

    def select(self, tag: str | None = None) -> list[Entry]:
        """Entries carrying `tag` (all when None), in matrix order."""
        return [e for e in self.entries if tag is None or tag in e.tags]

    def entry(self, name: str) -> Entry:
        for candidate in self.entries:
            if candidate.name == name:
                return candidate
        raise MatrixError(f"{self.path}: no environment named {name!r}")


def derived_tags(tensorflow: str, explicit: list[str], backend: str | None = None,
                 framework: str | None = None) -> tuple[str, ...]:
    """Explicit tags plus tf1/tf2/keras3 from the version (a Keras session: keras3, backends and
    its backend; a framework session: frameworks and its framework, not history: a PyTorch
    environment is several GB); everything else but gpu/nightly is history."""
    tags = list(explicit)
    if framework is not None:
        tags.extend([FRAMEWORKS_TAG, framework])
        return tuple(dict.fromkeys(tags))
    if backend is not None:
        tags.extend(["keras3", "backends", backend])
        if "gpu" not in explicit and "nightly" not in explicit:
            tags.append(HISTORY_TAG)
        return tuple(dict.fromkeys(tags))
    if tensorflow in UNPINNED:
        return tuple(dict.fromkeys(tags))
    major, minor = (int("".join(c for c in p if c.isdigit()) or 0) for p in tensorflow.split(".")[:2])
    tags.append("tf1" if major == 1 else "tf2")
    if (major, minor) >= (2, 16):
        tags.append("keras3")
    if "gpu" not in explicit and "nightly" not in explicit:
        tags.append(HISTORY_TAG)
    return tuple(dict.fromkeys(tags))


def _entry(raw: dict, index: int, path: Path) -> Entry:
    where = f"{path}: [[env]] #{index + 1}"
    if ("keras" in raw or "framework" in raw) and "tensorflow" not in raw:
        raw = dict(raw, tensorflow=NO_TENSORFLOW)
    for key in ("name", "tensorflow", "python"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise MatrixError(f"{where}: missing or non-text field {key!r}")
    unknown = set(raw) - {"name", "tensorflow", "python", "released", "package", "extra",
                          "pins_today", "pyperf", "tags", "keras", "backend", "resolution",
                          "framework", "version"}
    if unknown:
        raise MatrixError(f"{where} ({raw['name']}): unknown field(s) {', '.join(sorted(unknown))}")
    pins = []
    for pin in raw.get("pins_today", []):
        if not isinstance(pin, dict) or not pin.get("spec") or not pin.get("reason"):
            raise MatrixError(f"{where} ({raw['name']}): each pin needs a spec and a reason")
        pins.append(Pin(pin["spec"], pin["reason"]))
    released = raw.get("released")
    if released is not None:
        released = str(released)
    keras, backend = raw.get("keras"), raw.get("backend")
    if (keras is None) != (backend is None):
        raise MatrixError(f"{where} ({raw['name']}): a Keras session needs both keras and backend")
    if backend is not None and backend not in BACKENDS:
        raise MatrixError(f"{where} ({raw['name']}): backend {backend!r} is not one of "
                          f"{', '.join(BACKENDS)}")
    if raw.get("resolution") is not None and raw["resolution"] not in RESOLUTIONS:
        raise MatrixError(f"{where} ({raw['name']}): resolution {raw['resolution']!r} is not one "
                          f"of {', '.join(RESOLUTIONS)}")
    if backend is not None and backend != "tensorflow" and raw["tensorflow"] != NO_TENSORFLOW:
        raise MatrixError(f"{where} ({raw['name']}): a {backend} session installs no TensorFlow")
    framework, version = raw.get("framework"), raw.get("version")
    if framework is not None:
        if framework not in FRAMEWORK_PACKAGES:
            raise MatrixError(f"{where} ({raw['name']}): framework {framework!r} is not one of "
                              f"{', '.join(FRAMEWORK_PACKAGES)}")
        if not isinstance(version, str) or not version:
            raise MatrixError(f"{where} ({raw['name']}): a framework session needs its version")
        if keras is not None or raw["tensorflow"] != NO_TENSORFLOW:
            raise MatrixError(f"{where} ({raw['name']}): a framework session installs neither "
                              "TensorFlow nor Keras")
    elif version is not None:
        raise MatrixError(f"{where} ({raw['name']}): version belongs to a framework session")
    return Entry(name=raw["name"], tensorflow=raw["tensorflow"], python=raw["python"],
                 released=released, package=raw.get("package", "tensorflow"),
                 extra=tuple(raw.get("extra", [])), pins_today=tuple(pins),
                 pyperf=raw.get("pyperf"),
                 tags=derived_tags(raw["tensorflow"], list(raw.get("tags", [])), backend,
                                   framework),
                 keras=keras, backend=backend, resolution=raw.get("resolution"),
                 framework_name=framework, framework_version=version)


def load_matrix(path: str | os.PathLike = "suites/matrix.toml") -> Matrix:
    """Read and check the matrix; MatrixError names the file and the problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise MatrixError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise MatrixError(f"{path}: not valid TOML: {error}") from None
    defaults = raw.get("defaults", {})
    entries = tuple(_entry(item, i, path) for i, item in enumerate(raw.get("env", [])))
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise MatrixError(f"{path}: duplicate environment name(s) {', '.join(duplicates)}")
    resolution = os.environ.get("INITCOMPAT_RESOLUTION", defaults.get("resolution", "as-released"))
    if resolution not in RESOLUTIONS:
        raise MatrixError(f"{path}: resolution {resolution!r} is not one of {', '.join(RESOLUTIONS)}")
    return Matrix(entries=entries, suite=defaults.get("suite", "suites/default.json"),
                  resolution=resolution, probe_timeout=float(defaults.get("probe_timeout", 900)),
                  results=defaults.get("results", "results"), path=path)
