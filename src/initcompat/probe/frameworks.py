"""python -m initcompat.probe.frameworks --framework torch --suite S --out NAME.json ...

The probe of a framework session (PyTorch, Flax, JAX's stax): builds the suite's layers with no
initializer arguments the framework's own way, and writes NAME.json with `framework_cells`,
one per layer x weight: the initializer as the framework records it (PyTorch: the torch.nn.init
calls its constructor made, observed; Flax and stax: the initializer functions the module or
its signature holds, with their closure's arguments), the shape in the framework's layout, the
fans the framework's own fan rule gives, the drawn sample (moments, histogram, subsample: as the
TF probe's) and the seeded fingerprint (torch.manual_seed / jax.random.PRNGKey with the suite's
seed: built twice in this process, and once in a second fresh process started after the draws,
so `seeded` says whether the bytes repeat in the process and across processes). `cells` stays
empty: TF's API families are not measured
here. Exits 0 whenever it wrote (a failed import is a finding), 1 with one line when the suite
is unusable. Python 3.6-clean; stdlib, numpy and the framework under test only.
"""

import argparse
import json
import math
import subprocess
import sys
import time
import traceback

import numpy as np

from initcompat.probe import schema
from initcompat.probe.cells import max_abs_gram_offdiag
from initcompat.probe.moments import fingerprint_bytes, summarize_sample
from initcompat.probe.output import write_json_atomic

MAX_REASON = 2000


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe.frameworks")
    parser.add_argument("--framework", required=True, choices=schema.FRAMEWORKS)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--env-name", required=True)
    parser.add_argument("--requested-tensorflow", default=schema.NO_TENSORFLOW)
    parser.add_argument("--requested-python", default="")
    parser.add_argument("--requested-version", default=None)
    parser.add_argument("--tags", default="")
    parser.add_argument("--resolution", default=None)
    parser.add_argument("--device", choices=("default", "gpu"), default="default",
                        help="default: build where the framework builds by default (PyTorch: "
                             "the CPU; JAX: its default device); gpu: PyTorch builds on its "
                             "first CUDA device (torch.set_default_device)")
    parser.add_argument("--seeded-only", action="store_true",
                        help="internal: print the seeded builds' sha256 as JSON and exit (the "
                             "second fresh process of the reproducibility check)")
    return parser.parse_args(argv)


def load_suite(path):
    try:
        with open(path) as handle:
            suite = json.load(handle)
    except (IOError, OSError) as error:
        raise SystemExit("initcompat probe: cannot read suite %s: %s" % (path, error.strerror))
    except ValueError as error:
        raise SystemExit("initcompat probe: suite %s is not valid JSON: %s" % (path, error))
    missing = [key for key in ("seed", "sample_target", "max_builds", "subsample_size", "layers")
               if key not in suite] if isinstance(suite, dict) else ["(not an object)"]
    if missing:
        raise SystemExit("initcompat probe: suite %s lacks %s" % (path, ", ".join(missing)))
    return suite


def progress(message):
    sys.stderr.write("%s %s\n" % (schema.PROBE_PREFIX, message))
    sys.stderr.flush()


def suite_dims(suite):
    """kind -> the suite's first layer of that kind without an id (the shapes every framework
    builds, so the porting table compares like with like)."""
    dims = {}
    for layer in suite["layers"]:
        if isinstance(layer, dict) and "id" not in layer and layer.get("kind") not in dims:
            dims[layer["kind"]] = layer
    return dims


def adapter_module(framework):
    if framework == schema.FRAMEWORK_TORCH:
        from initcompat.probe.adapters import torch_layers as module
    elif framework == schema.FRAMEWORK_FLAX:
        from initcompat.probe.adapters import flax_layers as module
    else:
        from initcompat.probe.adapters import stax_layers as module
    return module


def _cell(layer, role, status, reason=None, error_type=None):
    return {"framework": layer["framework"], "api": layer["api"], "layer": layer["layer"],
            "layer_kind": layer["kind"], "weight_role": role, "status": status,
            "reason": reason[:MAX_REASON] if reason else reason, "error_type": error_type}


def probe_layer(layer, suite):
    """The cells of one layer: draws from fresh layers until the sample target, two seeded
    builds. layer: dict from an adapter (framework, api, layer, kind, roles, build(seed),
    identity(role, weights), fans(role, shape), layout(role), config, seed_call)."""
    try:
        first = layer["build"](None)
    except Exception as error:  # a layer that does not build is a finding, not a crash
        return [_cell(layer, role, schema.PORT_ERROR, "%s: %s" % (type(error).__name__, error),
                      type(error).__name__) for role in layer["roles"]]
    sizes = [int(np.asarray(values).size) for _, values in first.values()]
    builds = int(min(suite["max_builds"], max(1, math.ceil(float(suite["sample_target"])
                                                           / max(max(sizes), 1)))))
    drawn = dict((role, [np.asarray(values, dtype=np.float64)])
                 for role, (_, values) in first.items())
    for _ in range(builds - 1):
        weights = layer["build"](None)
        for role, (_, values) in weights.items():
            drawn[role].append(np.asarray(values, dtype=np.float64))
    seeded_error = None
    try:
        seeded = layer["build"](suite["seed"])
        repeat = layer["build"](suite["seed"])
    except Exception as error:
        seeded = repeat = None
        seeded_error = "%s: %s" % (type(error).__name__, error)
    cells = []
    for role in layer["roles"]:
        if role not in first:
            cells.append(_cell(layer, role, schema.PORT_ERROR, "the layer built no such weight"))
            continue
        name, values = first[role]
        shape = [int(d) for d in np.asarray(values).shape]
        sample = summarize_sample(np.concatenate([d.ravel() for d in drawn[role]]),
                                  suite["subsample_size"], suite["seed"])
        sample["builds"] = len(drawn[role])
        sample["draw_method"] = "fresh layers"
        sample["first_build_max_abs_gram_offdiag"] = max_abs_gram_offdiag(drawn[role][0])
        if seeded is not None:
            one, two = fingerprint_bytes(seeded[role][1]), fingerprint_bytes(repeat[role][1])
            seeded_block = {"sha256": one["sha256"], "first_values": one["first_values"],
                            "repeats_in_process": one["sha256"] == two["sha256"],
                            "seed_call": layer["seed_call"] % suite["seed"]}
        else:
            seeded_block = {"sha256": None, "error": seeded_error,
                            "seed_call": layer["seed_call"] % suite["seed"]}
        fan_in, fan_out, fan_rule = layer["fans"](role, shape)
        cell = _cell(layer, role, schema.PORT_OK)
        cell.update({"weight_name": name, "shape": shape, "layout": layer["layout"](role),
                     "fan_in": fan_in, "fan_out": fan_out, "fan_rule": fan_rule,
                     "initializer": layer["identity"](role), "layer_config": layer["config"],
                     "sample": sample, "seeded": seeded_block})
        cells.append(cell)
    return cells


SEEDED_MARKER = "initcompat seeded fingerprints: "
SECOND_PROCESS_TIMEOUT = 600


def _key(api, kind, role):
    """A weight's name in both processes: its API, layer kind (Flax's Conv is conv1d, conv2d and
    conv3d) and role."""
    return "%s|%s|%s" % (api, kind, role)


def seeded_fingerprints(framework, suite):
    """{api|layer|role: sha256} of every layer built once with the suite's seed (this process
    builds nothing else first: a fresh process)."""
    found = {}
    for layer in adapter_module(framework).layers(suite_dims(suite)):
        if layer.get("unavailable"):
            continue
        try:
            weights = layer["build"](suite["seed"])
        except Exception:
            continue
        for role, (_, values) in weights.items():
            found[_key(layer["api"], layer["kind"], role)] = fingerprint_bytes(values)["sha256"]
    return found


def place_draws(arguments):
    """Put the draws where --device says, and describe the devices (initcompat.probe.device_info)."""
    from initcompat.probe import device_info
    if arguments.framework == schema.FRAMEWORK_TORCH:
        on_gpu, how = (device_info.place_torch_on_gpu() if arguments.device == "gpu" else
                       (False, "PyTorch's default device: the CPU"))
        return device_info.describe("torch", on_gpu, how)
    return device_info.describe("jax", True, "JAX's default device (the GPU where it sees one)")


def second_process(arguments):
    """The seeded fingerprints drawn by a second fresh process, or (None, why not)."""
    command = [sys.executable, "-m", "initcompat.probe.frameworks", "--framework",
               arguments.framework, "--suite", arguments.suite, "--out", "-", "--env-name",
               arguments.env_name, "--device", arguments.device, "--seeded-only"]
    try:
        completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   universal_newlines=True, timeout=SECOND_PROCESS_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, "second process: %s" % error
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(SEEDED_MARKER):
            return json.loads(line[len(SEEDED_MARKER):]), None
    return None, "second process exited %d: %s" % (
        completed.returncode, (completed.stderr or "").strip().splitlines()[-1:])


def probe(arguments, suite):
    env = schema.environment_record(arguments.env_name, arguments.requested_tensorflow,
                                    arguments.requested_python,
                                    [t for t in arguments.tags.split(",") if t],
                                    arguments.resolution, framework=arguments.framework,
                                    framework_version=arguments.requested_version,
                                    suite=schema.suite_identity(arguments.suite, suite))
    from initcompat.probe import installed
    result = schema.outcome_result(env, schema.ENV_OK, None)
    result["installed"] = {"packages": installed.collect_distributions()}
    result["platform"] = installed.collect_platform()
    started = time.time()
    try:
        module = adapter_module(arguments.framework)
        versions = module.versions()
    except Exception:
        tail = traceback.format_exc()[-schema.TAIL_CHARS:]
        result.update(status=schema.ENV_IMPORT_FAILED, reason="%s import failed: %s" % (
            arguments.framework, tail.strip().splitlines()[-1]), log_tail=tail)
        return result
    progress("framework imported: %s" % json.dumps(versions, sort_keys=True))
    result["framework_versions"] = versions
    result["devices"] = place_draws(arguments)
    progress("draws on %s: %s" % (result["devices"]["drawn_on"], result["devices"]["how"]))
    cells = []
    for layer in module.layers(suite_dims(suite)):
        layer_started = time.time()
        if layer.get("unavailable"):
            cells.extend(_cell(layer, role, "unavailable", layer["unavailable"])
                         for role in layer["roles"])
            continue
        cells.extend(probe_layer(layer, suite))
        progress("%s %s: %d weights in %.1f s" % (layer["api"], layer["layer"],
                                                  len(layer["roles"]), time.time() - layer_started))
    other, why_not = second_process(arguments)
    for cell in cells:
        seeded = cell.get("seeded")
        if not seeded or not seeded.get("sha256"):
            continue
        if other is None:
            seeded.update(cross_process_identical=None, error=why_not)
            continue
        key = _key(cell["api"], cell["layer_kind"], cell["weight_role"])
        seeded["sha256_other_process"] = other.get(key)
        seeded["cross_process_identical"] = other.get(key) == seeded["sha256"]
    progress("seeded builds compared with a second fresh process: %s" % (
        why_not or "%d weights" % len(other)))
    result["framework_cells"] = cells
    result["seconds"] = round(time.time() - started, 2)
    return result


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    suite = load_suite(arguments.suite)
    if arguments.seeded_only:
        place_draws(arguments)
        sys.stdout.write(SEEDED_MARKER + json.dumps(seeded_fingerprints(arguments.framework,
                                                                        suite)) + "\n")
        return 0
    result = probe(arguments, suite)
    write_json_atomic(arguments.out, result)
    progress("wrote %s (%s, %d framework cells)" % (arguments.out, result["status"],
                                                    len(result.get("framework_cells") or [])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
