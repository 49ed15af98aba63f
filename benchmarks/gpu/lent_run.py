"""The GPU run without TensorFlow (issue 19), driven by benchmarks/gpu/run.sh.

    python3 benchmarks/gpu/lent_run.py --work DIR [--targets keras-jax,keras-torch,torch,flax]

For each target it runs this checkout's probe steps twice on the same install:

  NAME-gpu      the GPU pass: every device visible. Keras draws on its backend's default device
                (the GPU where there is one), JAX and Flax on JAX's default device, PyTorch on
                its first CUDA device (`--device gpu`: torch.set_default_device('cuda')).
                The throughput step runs here and times every device the framework lists
                (CPU and GPU in the same run), beside the device's own RNG and memory-write
                ceilings (initcompat.probe.device_timing).
  NAME-gpu-cpu  the CPU pass: the same install with the GPU hidden (CUDA_VISIBLE_DEVICES="",
                JAX_PLATFORMS=cpu), so the seeded bytes of the two passes compare CPU with GPU
                and nothing else.

Keras targets run the probe, the initializers step (with the strict tail audit at the suite's
`audit_size`) and the seeding step; framework targets the framework probe. NAME is the family
and installed version (keras-3.15-jax, torch-2.11, flax-0.12). Every file is written by the step
that owns it (as under nox), plus NAME.outcome.json and NAME.install.json written here, once.
On a machine with no GPU the GPU pass runs on the CPU and its files say so ("gpu": "none
found"; drawn_on "cpu"). One progress line per step; exit status 0 when every target wrote its
files, 1 otherwise. Stdlib only (and this checkout's host runner), Python >= 3.10; the lent
machine has 3.12.
"""

import argparse
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host import runner  # noqa: E402
from initcompat.probe import schema  # noqa: E402
from initcompat.measurements import registry  # noqa: E402
from initcompat.probe.output import write_json_atomic  # noqa: E402

TARGETS = {  # target -> (kind, backend or framework, the distribution whose version names it)
    "keras-jax": ("keras", "jax", "keras"),
    "keras-torch": ("keras", "torch", "keras"),
    "keras-numpy": ("keras", "numpy", "keras"),
    "torch": ("framework", schema.FRAMEWORK_TORCH, "torch"),
    "flax": ("framework", schema.FRAMEWORK_FLAX, "flax"),
    "jax-stax": ("framework", schema.FRAMEWORK_STAX, "jax"),
}
DEFAULT_TARGETS = ("keras-jax", "keras-torch", "torch", "flax")
PASSES = (("gpu", {}), ("gpu-cpu", {"CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}))
RESOLUTION = "lent machine (its own packages and carried wheels)"
STEP_TIMEOUT = 600


def short(version):
    return ".".join(version.split("+")[0].split(".")[:2])


def version_of(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def say(message):
    sys.stderr.write("initcompat gpu: %s\n" % message)
    sys.stderr.flush()


def run_step(label, command, environment, log_path):
    """Run one step with the host runner's step runner (its own process group, killed at the
    timeout, output to `log_path`); (status, reason, seconds, tail). The step writes its file."""
    seconds, failure, tail = runner.run_step(command, log_path, STEP_TIMEOUT, "initcompat",
                                             lambda _: None, environment)
    status = schema.STEP_OK if failure is None else schema.STEP_FAILED
    say("%-34s %-6s %6.1f s%s" % (label, status, seconds, "  (%s)" % failure if failure else ""))
    return status, failure, seconds, tail


def plan(target, name, pass_name, work, suite):
    """(env block, [(step, command)]) of one target's pass."""
    kind, which, _ = TARGETS[target]
    python = sys.executable
    pyver = "%d.%d" % sys.version_info[:2]
    out = lambda suffix: str(work / (name + suffix))  # noqa: E731
    common = ["--suite", str(suite), "--env-name", name]
    tags = ["gpu", pass_name]
    steps = []
    if kind == "keras":
        keras = version_of("keras")
        env = schema.environment_record(name, schema.NO_TENSORFLOW, pyver,
                                        tags + ["keras3", "backends", which], RESOLUTION,
                                        keras, which)
        steps.append(("probe", [python, "-m", "initcompat.probe", "--suite", str(suite),
                                "--out", out(".json"), "--env-name", name,
                                "--requested-tensorflow", schema.NO_TENSORFLOW,
                                "--requested-python", pyver, "--tags", ",".join(env["tags"]),
                                "--resolution", RESOLUTION, "--requested-keras", keras,
                                "--keras-backend", which]))
        for step in ("initializers", "seeding"):
            steps.append((step, [python, "-m", registry.by_name(step)["module"], *common,
                                 "--out", out(".%s.json" % step), "--framework", "keras"]))
        framework_argument = "keras"
    else:
        version = version_of(TARGETS[target][2])
        env = schema.environment_record(name, schema.NO_TENSORFLOW, pyver,
                                        tags + ["frameworks", which], RESOLUTION,
                                        framework=which, framework_version=version)
        command = [python, "-m", "initcompat.probe.frameworks", "--framework", which,
                   "--suite", str(suite), "--out", out(".json"), "--env-name", name,
                   "--requested-python", pyver, "--requested-version", version,
                   "--tags", ",".join(env["tags"]), "--resolution", RESOLUTION]
        if pass_name == "gpu" and which == schema.FRAMEWORK_TORCH:
            command += ["--device", "gpu"]
        steps.append(("probe", command))
        framework_argument = which
    if pass_name == "gpu":
        steps.append(("throughput", [python, "-m", registry.by_name("throughput")["module"],
                                     *common,
                                     "--out", str(work / schema.pyperf_file_name(name)),
                                     "--summary-out", out(".throughput.json"),
                                     "--framework", framework_argument]))
    return env, steps


def install_record(env, target):
    packages = dict((name, version_of(name)) for name in (
        "keras", "jax", "jaxlib", "jax-cuda13-plugin", "jax-cuda12-plugin", "torch", "flax",
        "numpy", "pyperf", "optree", "namex", "ml-dtypes", "h5py"))
    return schema.install_record(env, {
        "installer": "the lent machine's own packages, carried wheels on PYTHONPATH",
        "resolution": RESOLUTION, "exclude_newer": None, "pins": [],
        "requirements": ["%s==%s" % item for item in sorted(packages.items()) if item[1]],
        "machine": platform.node(), "python": platform.python_version(),
        "target": target})


def run_target(target, work, suite):
    kind, which, distribution = TARGETS[target]
    version = version_of(distribution)
    if version is None:
        say("%s: %s is not installed: skipped" % (target, distribution))
        return False
    base = ("keras-%s-%s" % (short(version), which) if kind == "keras"
            else "%s-%s" % (which, short(version)))
    wrote = True
    for pass_name, hidden in PASSES:
        name = "%s-%s" % (base, pass_name)
        env, steps = plan(target, name, pass_name, work, suite)
        environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2", **hidden)
        if kind == "keras":
            environment["KERAS_BACKEND"] = which
        write_json_atomic(str(work / schema.file_name(name, schema.KIND_INSTALL)),
                          install_record(env, target))
        records, status, reason = {}, schema.ENV_OK, None
        for step, command in steps:
            log = work / ("%s.log" % name if step == "probe" else "%s.%s.log" % (name, step))
            records[step] = schema.step_record(*run_step("%s %s" % (name, step), command,
                                                         environment, log))
            if step == "probe" and records[step]["status"] != schema.STEP_OK:
                status, reason = schema.ENV_PROBE_CRASHED, "probe " + records[step]["reason"]
                break
        wrote = wrote and status == schema.ENV_OK
        write_json_atomic(str(work / schema.file_name(name, schema.KIND_OUTCOME)),
                          schema.outcome_record(env, status, reason, records))
    return wrote


def main(argv=None):
    parser = argparse.ArgumentParser(prog="benchmarks/gpu/lent_run.py")
    parser.add_argument("--work", required=True, help="folder for every file (created)")
    parser.add_argument("--suite", default=str(ROOT / "suites" / "default.json"))
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help="comma-separated, of: %s" % ", ".join(TARGETS))
    arguments = parser.parse_args(argv)
    targets = [t for t in arguments.targets.split(",") if t]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error("unknown target(s) %s (known: %s)" % (", ".join(unknown), ", ".join(TARGETS)))
    work = Path(arguments.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = [run_target(target, work, Path(arguments.suite)) for target in targets]
    say("%d of %d targets wrote their files in %.0f s -> %s" % (
        sum(done), len(done), time.monotonic() - started, work))
    return 0 if all(done) else 1


if __name__ == "__main__":
    sys.exit(main())
