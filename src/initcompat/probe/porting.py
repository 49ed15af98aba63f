"""python -m initcompat.probe.porting --suite S --env-name N --out N.porting.json [--framework F]

The porting step: in this environment's framework B (tf.keras where no --framework is given,
else torch or flax), for every other framework A of schema.PORTING_FRAMEWORKS and every weight
of schema.PORTING_LAYERS, writes the snippet that gives A's default in B
(initcompat.probe.porting_theory), runs it for real, fresh, until the suite's sample target,
and records the draws (moments, histogram, subsample, as the probe's cells), or that B has no
code for it, or the error the snippet raised. The report compares these draws with A's own
measured draws. Exits 0 whenever it wrote its file, 1 with one line when the suite is unusable.
Python 3.6-clean; stdlib, numpy and the framework under test only.
"""

import argparse
import math
import os
import sys
import time
import traceback

import numpy as np

from initcompat.probe import porting_theory, schema
from initcompat.probe.cells import max_abs_gram_offdiag
from initcompat.probe.frameworks import load_suite, suite_dims
from initcompat.probe.moments import summarize_sample
from initcompat.probe.output import write_json_atomic

MAX_REASON = 2000


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe.porting")
    parser.add_argument("--suite", required=True)
    parser.add_argument("--env-name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--framework", default=None,
                        help="torch or flax (default: tf.keras of the installed TensorFlow)")
    return parser.parse_args(argv)


def say(message):
    sys.stderr.write("%s %s\n" % (schema.PORTING_PREFIX, message))
    sys.stderr.flush()


class Target(object):
    """How snippets run in one framework: the namespace they see and how a weight is read."""

    def __init__(self, framework):
        self.framework = framework
        self.counter = 0
        if framework == schema.FRAMEWORK_TORCH:
            import torch
            torch.set_num_threads(1)
            self.base = {"torch": torch}
            self.versions = {"torch": torch.__version__}
        elif framework == schema.FRAMEWORK_FLAX:
            import jax
            import jax.numpy as jnp
            import flax
            from flax import linen
            self.base = {"jax": jax, "jnp": jnp, "nn": linen}
            self.versions = {"flax": flax.__version__, "jax": jax.__version__}
        else:
            import tensorflow as tf
            keras = tf.keras
            self.base = {"keras": keras, "tf": tf}
            self.versions = {"tensorflow": tf.__version__,
                             "keras": getattr(keras, "__version__", None)}

    def run(self, code, kind, role):
        """Run the snippet once (fresh randomness) and return the weight as numpy."""
        namespace = dict(self.base)
        if self.framework == schema.FRAMEWORK_TORCH:  # fresh entropy, not torch's fixed start
            self.base["torch"].manual_seed(int.from_bytes(os.urandom(7), "little"))
        if self.framework == schema.FRAMEWORK_FLAX:
            self.counter += 1
            namespace["key"] = self.base["jax"].random.PRNGKey(10 ** 6 + self.counter)
        exec(compile(code, "<snippet>", "exec"), namespace)
        if self.framework == schema.FRAMEWORK_TORCH:
            layer = namespace["layer"]
            name = porting_theory.TORCH_TENSORS[(kind, role)].split(".", 1)[1]
            values = getattr(layer, name).detach().cpu().numpy()
            if kind == "lstm" and role == "bias":
                values = values + layer.bias_hh_l0.detach().cpu().numpy()
            return np.array(values, dtype=np.float64)
        if self.framework == schema.FRAMEWORK_FLAX:
            params = namespace["params"]["params"]
            if kind == "lstm":
                gates = [("h" if role != "kernel" else "i") + g for g in "ifgo"]
                field = "bias" if role == "bias" else "kernel"
                return np.concatenate([np.asarray(params[g][field], dtype=np.float64)
                                       for g in gates], axis=-1)
            field = {"kernel": "kernel", "bias": "bias", "embeddings": "embedding"}[role]
            return np.asarray(params[field], dtype=np.float64)
        weights = namespace["layer"].get_weights()
        index = {"kernel": 0, "bias": 1, "embeddings": 0, "recurrent_kernel": 1}[role]
        if kind == "lstm" and role == "bias":
            index = 2
        return np.asarray(weights[index], dtype=np.float64)


def port_weight(target, source, kind, role, dims, suite):
    theory = porting_theory.default_theory(source, kind, role, dims)
    snip = porting_theory.snippet(theory, target.framework, kind, role, dims)
    record = {"layer_kind": kind, "weight_role": role, "from_framework": source,
              "to_framework": target.framework, "theory": theory, "snippet": snip["code"],
              "notes": snip["notes"], "status": snip["status"], "reason": snip["reason"]}
    if snip["status"] != schema.PORT_OK:
        return record
    started = time.time()
    try:
        first = target.run(snip["code"], kind, role)
        builds = int(min(suite["max_builds"], max(1, math.ceil(
            float(suite["sample_target"]) / max(first.size, 1)))))
        drawn = [first] + [target.run(snip["code"], kind, role) for _ in range(builds - 1)]
    except Exception as error:  # the snippet does not run here: a finding
        record.update(status=schema.PORT_ERROR, error_type=type(error).__name__,
                      reason=("%s: %s" % (type(error).__name__, error))[:MAX_REASON],
                      log_tail=traceback.format_exc()[-schema.TAIL_CHARS:])
        return record
    sample = summarize_sample(np.concatenate([d.ravel() for d in drawn]),
                              suite["subsample_size"], suite["seed"])
    sample["builds"] = len(drawn)
    sample["draw_method"] = "the snippet, run afresh"
    sample["first_build_max_abs_gram_offdiag"] = max_abs_gram_offdiag(drawn[0])
    record.update(shape=[int(d) for d in first.shape], sample=sample,
                  seconds=round(time.time() - started, 3))
    return record


def measure(arguments, suite):
    framework = arguments.framework or schema.FRAMEWORK_TF_KERAS
    body = {"status": schema.ENV_OK, "reason": None, "records": [],
            "framework": framework, "imports": porting_theory.IMPORTS.get(framework)}
    if framework not in schema.PORTING_FRAMEWORKS:
        body.update(reason="the porting table translates between %s; not %s" % (
            ", ".join(schema.PORTING_FRAMEWORKS), framework))
        return body
    try:
        target = Target(framework)
    except Exception:
        tail = traceback.format_exc()[-schema.TAIL_CHARS:]
        body.update(status=schema.ENV_IMPORT_FAILED, reason=tail.strip().splitlines()[-1],
                    log_tail=tail)
        return body
    body["versions"] = target.versions
    dims = suite_dims(suite)
    for kind, roles in schema.PORTING_LAYERS:
        if kind not in dims:
            continue
        for role in roles:
            for source in schema.PORTING_FRAMEWORKS:
                if source == framework:
                    continue
                record = port_weight(target, source, kind, role, dims, suite)
                body["records"].append(record)
                say("%s %s from %s: %s" % (kind, role, source, record["status"]))
    return body


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    suite = load_suite(arguments.suite)
    body = measure(arguments, suite)
    write_json_atomic(arguments.out, schema.measurement_record(schema.KIND_PORTING,
                                                               arguments.env_name, body,
                                                               suite=schema.suite_identity(
                                                                   arguments.suite, suite)))
    counts = {}
    for record in body["records"]:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    say("wrote %s (%s; %s)" % (arguments.out, body["status"], ", ".join(
        "%d %s" % (n, status) for status, n in sorted(counts.items())) or "no records"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
