"""python -m initcompat.measurements.porting.probe --suite S --env-name N --out N.porting.json
       [--framework F]

The porting step: in this environment's framework B (tf.keras where no --framework is given,
else torch or flax), for every other framework A of schema.PORTING_FRAMEWORKS and every layer of
schema.PORTING_LAYERS, writes the snippet that builds B's layer with A's default in each weight
(initcompat.measurements.porting.snippets), runs it for real, fresh, until the suite's sample
target, at the suite's sizes and at a second set (porting_snippets.SECOND_DIMS), and records each weight's
draws (moments, histogram, subsample, as the probe's cells), or that B has no code for it, or
the error the snippet raised. At the second sizes it also draws B's own default (records with
from_framework == to_framework): another environment's porting table compares against them
there, as it compares against B's cells at the suite's sizes. Exits 0 whenever it wrote its
file, 1 with one line when the suite is unusable. Python 3.6-clean; stdlib, numpy and the
framework under test only.
"""

import argparse
import math
import os
import sys
import time
import traceback

import numpy as np

from initcompat.measurements.porting import snippets as porting_snippets
from initcompat.measurements.porting import theory as porting_theory
from initcompat.probe import schema
from initcompat.probe.cells import max_abs_gram_offdiag
from initcompat.probe.frameworks import load_suite, suite_dims
from initcompat.probe.moments import summarize_sample
from initcompat.probe.output import write_json_atomic

MAX_REASON = 2000


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.measurements.porting.probe")
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
    """How snippets run in one framework: the namespace they see and how a layer's weights are
    read (in the framework's own layout; an LSTM's bias as the bias its gates add)."""

    def __init__(self, framework, api=None):
        self.framework = framework
        self.api = api  # porting_snippets.FLAX_NNX: Flax's nnx layers; None: the framework's own
        self.counter = 0
        if api == porting_snippets.FLAX_NNX:
            import jax
            import jax.numpy as jnp
            import flax
            from flax import nnx
            self.base = {"jax": jax, "jnp": jnp, "nnx": nnx}
            self.versions = {"flax": flax.__version__, "jax": jax.__version__}
        elif framework == schema.FRAMEWORK_TORCH:
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
        self.base["math"] = math

    def run(self, code, kind, roles):
        """Run the snippet once (fresh randomness); role -> that weight as numpy."""
        namespace = dict(self.base)
        if self.framework == schema.FRAMEWORK_TORCH:  # fresh entropy, not torch's fixed start
            self.base["torch"].manual_seed(int.from_bytes(os.urandom(7), "little"))
        if self.framework == schema.FRAMEWORK_FLAX:  # linen and nnx
            self.counter += 1
            namespace["key"] = self.base["jax"].random.PRNGKey(10 ** 6 + self.counter)
        exec(compile(code, "<snippet>", "exec"), namespace)
        return dict((role, np.array(self.weight(namespace, kind, role), dtype=np.float64))
                    for role in roles)

    @property
    def name(self):
        """What layer_snippet calls this target: the framework, or Flax's nnx."""
        return self.api or self.framework

    def weight(self, namespace, kind, role):
        if self.api == porting_snippets.FLAX_NNX:
            layer = namespace["layer"]
            if kind == "lstm":  # nnx's gate Linears: ii, if_, ig, io; hi, hf, hg, ho (biased)
                gates = [getattr(layer, name) for name in (
                    ("ii", "if_", "ig", "io") if role == "kernel" else ("hi", "hf", "hg", "ho"))]
                field = "bias" if role == "bias" else "kernel"
                return np.concatenate([np.asarray(getattr(g, field)[...], dtype=np.float64)
                                       for g in gates], axis=-1)
            field = {"kernel": "kernel", "bias": "bias", "embeddings": "embedding"}[role]
            return np.asarray(getattr(layer, field)[...])
        if self.framework == schema.FRAMEWORK_TORCH:
            layer = namespace["layer"]
            name = porting_snippets.TORCH_TENSORS[(kind, role)].split(".", 1)[1]
            values = getattr(layer, name).detach().cpu().numpy()
            if kind == "lstm" and role == "bias":
                values = values + layer.bias_hh_l0.detach().cpu().numpy()
            return values
        if self.framework == schema.FRAMEWORK_FLAX:
            params = namespace["params"]["params"]
            if kind == "lstm":
                gates = [("h" if role != "kernel" else "i") + g for g in "ifgo"]
                field = "bias" if role == "bias" else "kernel"
                return np.concatenate([np.asarray(params[g][field], dtype=np.float64)
                                       for g in gates], axis=-1)
            field = {"kernel": "kernel", "bias": "bias", "embeddings": "embedding"}[role]
            return np.asarray(params[field])
        weights = namespace["layer"].get_weights()
        index = {"kernel": 0, "bias": 1, "embeddings": 0, "recurrent_kernel": 1}[role]
        if kind == "lstm" and role == "bias":
            index = 2
        return weights[index]


def port_layer(target, source, kind, roles, dims, shape_set, suite):
    """One record per weight of one layer: `source`'s default drawn in the target by the layer's
    snippet at `dims` (source == target: the target's own default, no initializer argument),
    run afresh until every weight has the suite's sample target (at most max_builds runs)."""
    snip = porting_snippets.layer_snippet(source, target.name, kind, dims)
    records = [{"layer_kind": kind, "weight_role": role, "from_framework": source,
                "to_framework": target.framework, "shape_set": shape_set,
                "dims": dict(dims[kind]),
                "theory": porting_theory.default_theory(source, kind, role, dims),
                "snippet": snip["code"], "notes": snip["notes"], "status": snip["status"],
                "reason": snip["reason"]} for role in roles]
    if target.api:
        for record in records:
            record["to_api"] = target.api
    if snip["status"] != schema.PORT_OK:
        return records
    started = time.time()
    try:
        first = target.run(snip["code"], kind, roles)
        builds = int(min(suite["max_builds"], max(1, max(math.ceil(
            float(suite["sample_target"]) / max(values.size, 1)) for values in first.values()))))
        drawn = [first] + [target.run(snip["code"], kind, roles) for _ in range(builds - 1)]
    except Exception as error:  # the snippet does not run here: a finding
        for record in records:
            record.update(status=schema.PORT_ERROR, error_type=type(error).__name__,
                          reason=("%s: %s" % (type(error).__name__, error))[:MAX_REASON],
                          log_tail=traceback.format_exc()[-schema.TAIL_CHARS:])
        return records
    seconds = round(time.time() - started, 3)
    for record in records:
        role = record["weight_role"]
        sample = summarize_sample(np.concatenate([d[role].ravel() for d in drawn]),
                                  suite["subsample_size"], suite["seed"])
        sample["builds"] = len(drawn)
        sample["draw_method"] = "the snippet, run afresh" if source != target.framework \
            else "the layer with no initializer argument, run afresh"
        sample["first_build_max_abs_gram_offdiag"] = max_abs_gram_offdiag(first[role])
        record.update(shape=[int(d) for d in first[role].shape], sample=sample, seconds=seconds)
    return records


def measure(arguments, suite):
    """Every porting layer at the suite's sizes and at porting_snippets.SECOND_DIMS, from every
    other framework; at the second sizes also the target's own default, which the report takes
    as that framework's source draws there (its cells are at the suite's sizes)."""
    framework = arguments.framework or schema.FRAMEWORK_TF_KERAS
    body = {"status": schema.ENV_OK, "reason": None, "records": [],
            "framework": framework, "imports": porting_snippets.IMPORTS.get(framework)}
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
    targets = [target]
    if framework == schema.FRAMEWORK_FLAX:
        try:
            targets.append(Target(framework, porting_snippets.FLAX_NNX))
            body["api_imports"] = {porting_snippets.FLAX_NNX:
                                   porting_snippets.IMPORTS[porting_snippets.FLAX_NNX]}
        except ImportError as error:  # Flax before nnx (0.7): linen only
            say("no %s here (%s): linen only" % (porting_snippets.FLAX_NNX, error))
    suite_sizes = suite_dims(suite)
    for each in targets:
        for kind, roles in schema.PORTING_LAYERS:
            if kind not in suite_sizes:
                continue
            for shape_set, dims in zip(porting_snippets.SHAPE_SETS,
                                       (suite_sizes, porting_snippets.SECOND_DIMS)):
                sources = [s for s in schema.PORTING_FRAMEWORKS if s != framework]
                if shape_set != porting_snippets.SHAPE_SETS[0] and not each.api:
                    sources = [framework] + sources  # the sources' draws at these sizes
                for source in sources:
                    records = port_layer(each, source, kind, roles, dims, shape_set, suite)
                    body["records"].extend(records)
                    say("%s %s from %s at %s: %s" % (
                        each.name, kind, source, porting_snippets.shape_label(kind, dims),
                        ", ".join(r["status"] for r in records)))
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
