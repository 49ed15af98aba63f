"""The registry of measurements: every step that writes a result file of its own, listed once.

The host's runner, the rerun and reuse logic, the report's loader, its sections and CSV files and
the loader's fuzz test iterate MEASUREMENTS instead of naming each step; initcompat.probe.schema
derives its step tables (MEASUREMENT_STEPS, TF_KERAS_STEPS, the file suffixes) from it. Adding a
measurement starts with one entry here (CONTRIBUTING.md, "Add a measurement").

Each entry is a plain dict (Python 3.6-clean: the probe side and the host both read it):

  name          the step's name in NAME.outcome.json and on the progress lines
  kind          the `kind` its file carries (schema.KIND_*)
  suffix        its file's suffix after the environment name (NAME + suffix)
  log_suffix    the suffix of the log the runner keeps of the step's output
  module        what the runner runs with `python -m` inside the environment
  prefix        the first word of every line the step prints for the host
  runs          RUNS_PROBE (the probe: first, alone), RUNS_BESIDE (after a successful probe,
                side by side with the others) or RUNS_ALONE (throughput: last, under the timing
                lock, nothing else running)
  sessions      where it runs: SESSIONS_EVERY, SESSIONS_TF_KERAS (TensorFlow/Keras
                environments, not the framework sessions) or SESSIONS_PORTING (the framework
                sessions and the TensorFlow environments tagged PORTING_TAG)
  section       the report's section that shows it (a field of report.sections.View)
  section_module  the report-side module holding that section (report side only; never imported
                by the probe)
  builder       the function of section_module that builds the section; for RUNS_BESIDE steps
                report.sections.build_view calls it with the measured environments
                (SESSIONS_TF_KERAS: without the framework sessions; otherwise every one)
  timeline      whether the section's `events` join the timeline

Imports nothing: initcompat.probe.schema imports it.
"""

RUNS_PROBE = "probe"
RUNS_BESIDE = "beside"
RUNS_ALONE = "alone"

# The report-side subfolder of a measurement's folder (initcompat/measurements/NAME/section/):
# everything else in initcompat/measurements runs inside the environments.
REPORT_SIDE_FOLDER = "section"

SESSIONS_EVERY = "every"
SESSIONS_TF_KERAS = "tf-keras"
SESSIONS_PORTING = "porting"
PORTING_TAG = "porting"


def _measurement(name, module, runs, sessions, section, section_module, builder, timeline,
                 kind=None, suffix=None, log_suffix=None):
    kind = kind or name
    return {"name": name, "kind": kind, "suffix": suffix or ".%s.json" % kind,
            "log_suffix": log_suffix or ".%s.log" % kind, "module": module,
            "prefix": "initcompat %s:" % name, "runs": runs, "sessions": sessions,
            "section": section, "section_module": section_module, "builder": builder,
            "timeline": timeline}


# In the order the runner runs them (and, for RUNS_BESIDE, the report builds their sections and
# joins their timeline events).
MEASUREMENTS = (
    # the layer cells: every API family x layer x weight, with no initializer argument
    _measurement("probe", "initcompat.probe", RUNS_PROBE, SESSIONS_EVERY, "matrix",
                 "initcompat.report.sections.matrix", "build_matrix", False,
                 kind="result", suffix=".json", log_suffix=".log"),
    # the measurements in their own folders: initcompat.measurements.NAME
    _measurement("initializers", "initcompat.measurements.initializers.probe", RUNS_BESIDE,
                 SESSIONS_TF_KERAS, "initializers",
                 "initcompat.measurements.initializers.section", "build_initializers", True),
    _measurement("seeding", "initcompat.measurements.seeding.probe", RUNS_BESIDE,
                 SESSIONS_TF_KERAS, "seeding", "initcompat.measurements.seeding.section",
                 "build_seeding", True),
    _measurement("propagation", "initcompat.measurements.propagation.probe", RUNS_BESIDE,
                 SESSIONS_TF_KERAS, "propagation", "initcompat.measurements.propagation.section",
                 "build_propagation", True),
    _measurement("porting", "initcompat.measurements.porting.probe", RUNS_BESIDE,
                 SESSIONS_PORTING, "porting", "initcompat.measurements.porting.section",
                 "build_porting", False),
    # pyperf timings; also writes NAME.pyperf.json (schema.PYPERF_SUFFIX)
    _measurement("throughput", "initcompat.measurements.throughput.probe", RUNS_ALONE,
                 SESSIONS_EVERY, "throughput", "initcompat.measurements.throughput.section",
                 "build_throughput", False),
)


def by_name(name):
    """The entry of step `name` (KeyError when there is none)."""
    for measurement in MEASUREMENTS:
        if measurement["name"] == name:
            return measurement
    raise KeyError(name)


def steps_beside():
    """The steps that run after a successful probe, side by side, in order."""
    return tuple(m for m in MEASUREMENTS if m["runs"] == RUNS_BESIDE)


def step_names(sessions):
    """The names of the steps that run in `sessions` (a SESSIONS_* value)."""
    return tuple(m["name"] for m in MEASUREMENTS if m["sessions"] == sessions)
