"""An install that fails for a reason outside the release is retried with backoff and told apart
from a release that does not install (initcompat.host.causes, initcompat.host.environments).
UNREACHABLE, NO_WHEEL, NO_VERSION and the two wrapped ones are uv 0.13's own output, captured
from the runs the integration test repeats (tests/integration/test_broken_matrix.py: a closed
local port as the index, TF 1.5.1 on Python 3.11, a version that does not exist); DISK_FULL is
written in uv's form (a full disk was not reproduced here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from initcompat.host import environments
from initcompat.host.causes import last_cause, last_line, transient_cause
from initcompat.host.environments import InstallFailed

UNREACHABLE = """$ uv pip install --quiet --python .nox/tf-1.5/bin/python tensorflow==1.5.1
error: Request failed after 3 retries in 10.6s
  cause: Failed to fetch: http://127.0.0.1:9/simple/tensorflow/
  cause: error sending request for url (http://127.0.0.1:9/simple/tensorflow/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)"""
NO_WHEEL = """$ uv pip install --quiet --python .nox/x/bin/python tensorflow==1.5.1
error: No solution found when resolving dependencies
  cause: Because tensorflow==1.5.1 has no wheels with a matching Python ABI tag (e.g., `cp311`) \
and you require tensorflow==1.5.1, we can conclude that your requirements are unsatisfiable.

hint: You require CPython 3.11 (`cp311`), but we only found wheels for `tensorflow` (v1.5.1) \
with the following Python ABI tags: `cp27m`, `cp27mu`, `cp33m`, `cp34m`, `cp35m`, `cp36m`"""
NO_VERSION = """$ uv pip install tensorflow==1.99.0
error: No solution found when resolving dependencies
  cause: Because there is no version of tensorflow==1.99.0 and you require tensorflow==1.99.0, \
we can conclude that your requirements are unsatisfiable."""
# The same two with $COLUMNS=60 (pytest sets it): uv wraps its causes at the width.
NO_WHEEL_WRAPPED = """error: No solution found when resolving dependencies
  cause: Because tensorflow==1.5.1 has no wheels with a
         matching Python ABI tag (e.g., `cp311`) and you
         require tensorflow==1.5.1, we can conclude that
         your requirements are unsatisfiable.

hint: You require CPython 3.11 (`cp311`), but we only found wheels for `tensorflow` (v1.5.1) \
with the following Python ABI tags: `cp27m`, `cp27mu`, `cp33m`, `cp34m`, `cp35m`, `cp36m`"""
UNREACHABLE_WRAPPED = """error: Request failed after 3 retries in 10.7s
  cause: Failed to fetch:
         http://127.0.0.1:9/simple/tensorflow/
  cause: error sending request for url
         (http://127.0.0.1:9/simple/tensorflow/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)"""
DISK_FULL = "error: Failed to write to `.nox/tf-2.15/lib/python3.11/site-packages/x.so`\n" \
            "  Caused by: No space left on device (os error 28)"


def test_an_unreachable_index_is_transient_and_names_the_error():
    assert transient_cause(UNREACHABLE) == "package index unreachable: Connection refused"
    assert last_line(UNREACHABLE) == "Connection refused (os error 111)"


def test_output_wrapped_at_the_terminal_s_width_reads_the_same():
    assert last_line(NO_WHEEL_WRAPPED) == last_line(NO_WHEEL)
    assert transient_cause(NO_WHEEL_WRAPPED) is None
    assert transient_cause(UNREACHABLE_WRAPPED) == transient_cause(UNREACHABLE)
    assert last_line(UNREACHABLE_WRAPPED) == last_line(UNREACHABLE)


def test_a_full_disk_and_a_killed_installer_are_transient():
    assert transient_cause(DISK_FULL) == "disk full: No space left on device"
    assert transient_cause("", returncode=-9) == "installer killed by signal 9"


def test_a_release_of_its_own_is_not_transient_and_keeps_the_resolver_s_reason():
    assert transient_cause(NO_WHEEL) is None and transient_cause(NO_VERSION) is None
    assert last_line(NO_WHEEL) == (
        "Because tensorflow==1.5.1 has no wheels with a matching Python ABI tag (e.g., `cp311`) "
        "and you require tensorflow==1.5.1, we can conclude that your requirements are "
        "unsatisfiable.")
    assert last_line(NO_VERSION).startswith("Because there is no version of tensorflow==1.99.0")


def test_a_crash_s_cause_is_its_exception_line_not_the_progress():
    tail = ("initcompat probe: tensorflow imported 1.15.5 in 3.1 s\nTraceback (most recent call "
            "last):\n  File \"x.py\", line 3, in <module>\nValueError: unknown layer kind "
            "'conv2dd'\ninitcompat probe: tf.layers error (0.1 s)\n")
    assert last_cause(tail) == "ValueError: unknown layer kind 'conv2dd'"
    assert last_cause("initcompat probe: still importing\n") is None and last_cause(None) is None


def _failing(tmp_path: Path, output: str, succeed_on: int | None = None) -> list[str]:
    """A real process that prints `output` and fails (succeeds on attempt `succeed_on`),
    counting its runs in a file."""
    counter = tmp_path / "runs"
    code = ("import sys, pathlib\np = pathlib.Path(%r)\nn = len(p.read_text()) + 1 if p.exists() "
            "else 1\np.write_text('x' * n)\nprint(%r)\nsys.exit(0 if n == %r else 2)"
            % (str(counter), output, succeed_on))
    return [sys.executable, "-c", code]


def runs(tmp_path: Path) -> int:
    return len((tmp_path / "runs").read_text())


def test_a_transient_failure_is_retried_then_recorded_with_its_cause(tmp_path):
    with pytest.raises(InstallFailed) as raised:
        environments._run(_failing(tmp_path, UNREACHABLE), "install x", retries=(3, 0.01))
    assert runs(tmp_path) == 3
    assert raised.value.transient == "package index unreachable: Connection refused"
    assert raised.value.cause == raised.value.transient


def test_a_transient_failure_that_clears_measures(tmp_path):
    environments._run(_failing(tmp_path, UNREACHABLE, succeed_on=2), "install x", retries=(3, 0.01))
    assert runs(tmp_path) == 2


def test_a_release_that_does_not_install_is_tried_once(tmp_path):
    with pytest.raises(InstallFailed) as raised:
        environments._run(_failing(tmp_path, NO_WHEEL), "install x", retries=(3, 0.01))
    assert runs(tmp_path) == 1 and raised.value.transient is None
    assert raised.value.cause.startswith("Because tensorflow==1.5.1 has no wheels")


def test_attempts_and_backoff_are_configurable_and_checked(monkeypatch):
    monkeypatch.delenv(environments.INSTALL_ATTEMPTS_VARIABLE, raising=False)
    monkeypatch.delenv(environments.INSTALL_BACKOFF_VARIABLE, raising=False)
    assert environments.install_retries() == (environments.DEFAULT_ATTEMPTS,
                                              environments.DEFAULT_BACKOFF)
    monkeypatch.setenv(environments.INSTALL_ATTEMPTS_VARIABLE, "2")
    monkeypatch.setenv(environments.INSTALL_BACKOFF_VARIABLE, "0.5")
    assert environments.install_retries() == (2, 0.5)
    monkeypatch.setenv(environments.INSTALL_ATTEMPTS_VARIABLE, "two")
    with pytest.raises(ValueError, match="INITCOMPAT_INSTALL_ATTEMPTS='two' is not a whole number"):
        environments.install_retries()
    monkeypatch.setenv(environments.INSTALL_ATTEMPTS_VARIABLE, "0")
    with pytest.raises(ValueError, match="must be at least 1"):
        environments.install_retries()
