"""One Nox session per TensorFlow environment in suites/matrix.toml, then the report.

  nox                 the default selection, then the report
  nox -t history      every release, then the report
  nox -s tf-1.15      one environment
  nox -s tests        the test suite
  nox -l --json       every session with its Python, TensorFlow version and tags
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "src"))

from initcompat import matrix as matrix_module  # noqa: E402
from initcompat import runner  # noqa: E402

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
# A plain `nox` runs the default selection. nox lists only selected sessions, so the machine
# listing (`nox -l --json`, which CI turns into its job matrix) keeps every session selected.
if not ({"-l", "--list", "--list-sessions"} & set(sys.argv) and "--json" in sys.argv):
    nox.options.tags = [matrix_module.DEFAULT_TAG]

MATRIX = matrix_module.load_matrix(ROOT / "suites" / "matrix.toml")
RESULTS = ROOT / MATRIX.results
ENVS = ROOT / ".nox"


def probe_environment(session: nox.Session, entry: matrix_module.Entry) -> None:
    """Install (or reuse) the entry's environment, probe it, and always leave a result file."""
    outcome = runner.run_entry(entry, resolution=MATRIX.resolution, suite=ROOT / MATRIX.suite,
                               results=RESULTS, envs=ENVS, source=ROOT / "src",
                               timeout=MATRIX.probe_timeout, echo=session.log)
    timing = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome.seconds.items())
    line = f"{entry.name}: {outcome.status} ({timing}) -> {outcome.result_path.relative_to(ROOT)}"
    if outcome.status == "skipped":
        session.skip(f"{entry.name}: {outcome.message}")
    elif outcome.status == "ok":
        session.log(line)
    else:
        session.warn(f"{line}: {outcome.message}")


def define_probe_session(entry: matrix_module.Entry) -> None:
    def session_function(session: nox.Session) -> None:
        probe_environment(session, entry)

    session_function.__doc__ = (f"TensorFlow {entry.tensorflow} on Python {entry.python}"
                                + (f" with {', '.join(entry.extra)}" if entry.extra else ""))
    nox.session(name=entry.name, python=entry.python, venv_backend="none",
                tags=list(entry.tags))(session_function)


for matrix_entry in MATRIX.entries:
    define_probe_session(matrix_entry)


@nox.session(tags=[matrix_module.DEFAULT_TAG, matrix_module.HISTORY_TAG, "nightly", "gpu"])
def report(session: nox.Session) -> None:
    """Build reports/ from every result in results/."""
    session.install("-e", ".[report]")
    session.run("python", "-m", "initcompat.report", str(RESULTS), "--out", "reports", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests (unit, and integration against real TF 1.15 and 2.21 environments)."""
    session.install("-e", ".[report,test]")
    session.run("pytest", *session.posargs)
