"""What an environment's steps are started with: the variables of their processes, the probe's
command line, the arguments every measurement step gets, and which steps do not run where.
Pure: nothing is run here. Host side."""

from __future__ import annotations

import os
from pathlib import Path

from initcompat.host.matrix import Entry
from initcompat.probe import schema


def process_environment(entry: Entry) -> dict:
    """The environment variables of every process of a run: unbuffered output, TF's C++ logs
    quiet, and a Keras session's backend (KERAS_BACKEND must be set before Keras is imported)."""
    environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    if entry.backend:
        environment["KERAS_BACKEND"] = entry.backend
    return environment


def probe_command(entry: Entry, suite: Path, out: Path, resolution: str,
                  name: str | None = None) -> tuple[str, list[str]]:
    """(module, arguments) of the probe step of `entry`, writing `out` as environment `name`
    (default: the entry's; a crossed environment, host.crossed, names its own)."""
    arguments = ["--suite", str(suite), "--out", str(out), "--env-name", name or entry.name,
                 "--requested-tensorflow", entry.tensorflow, "--requested-python", entry.python,
                 "--tags", ",".join(entry.tags), "--resolution", resolution]
    if entry.keras:
        arguments += ["--requested-keras", entry.keras, "--keras-backend", entry.backend]
    module = "initcompat.probe"
    if entry.framework_name:
        module = "initcompat.probe.frameworks"
        arguments += ["--framework", entry.framework_name,
                      "--requested-version", entry.framework_version]
    return module, arguments


def step_arguments(entry: Entry) -> list[str]:
    """What a measurement step needs beyond suite, name and file: a Keras session without
    TensorFlow runs it on Keras alone, a framework session on its framework."""
    if entry.framework_name:
        return ["--framework", entry.framework_name]
    if entry.tensorflow == schema.NO_TENSORFLOW:
        return ["--framework", "keras"]
    return []


def step_not_applicable(entry: Entry, step: str) -> str | None:
    """Why a measurement step does not run for this entry (None: it runs). The initializers,
    seeding and propagation steps read TF/Keras; the porting step runs in framework sessions and in the TF
    environments tagged schema.PORTING_TAG (one tf.keras target is enough)."""
    if entry.framework_name and step in schema.TF_KERAS_STEPS:
        return f"the {step} step reads TensorFlow/Keras; {entry.framework_name} has the " \
               "framework probe"
    if step == schema.PORTING_STEP and not entry.framework_name and \
            schema.PORTING_TAG not in entry.tags:
        return f"the porting step runs in the framework sessions and where tagged " \
               f"{schema.PORTING_TAG!r}"
    return None
