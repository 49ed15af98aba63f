"""python -m initcompat.measurements.propagation.probe --suite SUITE.json --env-name NAME
       --out NAME.propagation.json

Signal propagation through the suite's models (`propagation` in the suite), at initialization
and through a short training run, in this environment's own APIs: why
`truncated_normal_initializer(stddev=0.1)` gave the seed question's asker NaN.

At initialization, for every API x model x initializer x dtype: one seeded batch of the shipped
digits (suites/digits.npz, prepared on the host by initcompat.host.digits) goes through the
real layers; per layer the record keeps the kernel's declared initializer, its fans and drawn
std, the pre-activation and output statistics (mean, std, exact zeros, max |a|, non-finite
count), and the gradient norm of the stable loss for the kernel; per model the logits' std,
range and largest gap, and the naive (-sum y*log(softmax)) and the stable cross-entropy.
float16/bfloat16 run in the first API only (each model is built in that dtype, as a user's
dtype=... builds it).

An initializer spec with "lsuv": true is LSUV's one-batch rescaling on top of it (Mishkin &
Matas 2016): each kernel, in layer order, divided by the std of its layer's pre-activation on
another seeded batch; the record is marked "rescaled": "lsuv".

Training: the suite's model (the TF layers tutorial's CNN) with plain gradient descent at the
tutorial's learning rate, for each initializer and for the naive and the stable loss, in the
first API that has gradients; the same seeded batches for every run. The loss and the largest
logit gap at every step, and the first step whose loss is not finite.

The training runs go to a child process (TrainingChild: this module with --training-only)
started before TensorFlow is imported, beside the runs at initialization: neither measures
time, and each run seeds itself, so the records are those of one process, sooner where a core
is free. The child writes a temporary file that this process reads; the step's file has one
writer. A failed child makes every planned training run an error record with its output tail.

Exits 0 whenever it wrote its file, 1 with one line when the suite or the data are unusable.
Python 3.6-clean.
"""

import math
import os
import sys
import time
import traceback

import numpy as np

from initcompat.probe import schema, step
from initcompat.probe.child import ChildProcess
from initcompat.probe.output import write_json_atomic

PREFIX = schema.PROPAGATION_PREFIX
MAX_REASON = 500


def _error(error):
    return ("%s: %s" % (type(error).__name__, error))[:MAX_REASON]


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def tensor_statistics(values):
    """mean, std, zero_fraction, max_abs, nonfinite of an activation array (finite values only
    for the moments; None where none is finite)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    finite = array[np.isfinite(array)]
    statistics = {"n": int(array.size), "nonfinite": int(array.size - finite.size),
                  "zero_fraction": float(np.mean(array == 0.0)) if array.size else None}
    if finite.size:
        statistics.update(mean=float(finite.mean()), std=float(finite.std()),
                          second_moment=float(np.mean(finite ** 2)),
                          max_abs=float(np.max(np.abs(finite))))
    else:
        statistics.update(mean=None, std=None, second_moment=None, max_abs=None)
    return statistics


def _declared(initializer):
    from initcompat.probe.identity import describe_initializer
    return describe_initializer(initializer)


def layer_record(index, entry):
    """One layer's record of an at-initialization run."""
    from initcompat.probe.identity import compute_framework_fans
    spec = entry["spec"]
    record = {"index": index, "type": spec["type"], "activation": spec.get("activation"),
              "output": tensor_statistics(entry["out"]),
              "pre_activation": tensor_statistics(entry["pre"]),
              "output_shape": [int(d) for d in entry["out"].shape[1:]]}
    if entry["kernel"] is not None:
        kernel = np.asarray(entry["kernel"], dtype=np.float64)
        fan_in, fan_out, fan_source = compute_framework_fans(entry["initializer"], kernel.shape)
        record.update(kernel_shape=[int(d) for d in kernel.shape], fan_in=fan_in, fan_out=fan_out,
                      fan_source=fan_source, declared=_declared(entry["initializer"]),
                      kernel_std=_finite(kernel.std()), kernel_mean=_finite(kernel.mean()))
        gradient = entry["gradient"]
        record["grad_norm"] = None if gradient is None else _finite(
            np.sqrt(np.sum(np.asarray(gradient, dtype=np.float64) ** 2)))
    return record


def logits_record(logits):
    array = np.asarray(logits, dtype=np.float64)
    finite = np.all(np.isfinite(array))
    record = tensor_statistics(array)
    record.update(min=_finite(array.min()) if finite else None,
                  max=_finite(array.max()) if finite else None,
                  max_gap=_finite(np.max(array.max(axis=1) - array.min(axis=1))) if finite
                  else None)
    return record


def load_data(path):
    """{name: array} of the shipped digits; SystemExit with one line when unusable."""
    try:
        with np.load(path) as stored:
            data = dict((name, stored[name]) for name in ("x8", "x28", "y"))
    except (IOError, OSError, KeyError, ValueError) as error:
        raise SystemExit("%s cannot read data %s: %s" % (PREFIX, path, _error(error)))
    return data


def model_inputs(model, data):
    """(x float32 (n, ...), y) of the whole shipped set in the model's input shape."""
    x = data[model["input"]].astype(np.float32) / float(model["scale"])
    shape = [len(x)] + list(model["input_shape"])
    return x.reshape(shape), data["y"].astype(np.int64)


def seeded_batch(x, y, size, seed):
    order = np.random.RandomState(seed).permutation(len(x))[:size]
    return x[order], y[order]


def model_batch(model, data, settings, dtype, offset=0):
    """The seeded batch of a model: its `batch` (else the suite's) in float32; in a lower
    precision the first `low_precision_batch` of it (CPU float16 kernels are slow). `offset` 1:
    another batch of the same size (LSUV calibrates on it, so the measured batch is not the one
    the scales were fitted to)."""
    x, y = model_inputs(model, data)
    size = int(model.get("batch", settings["batch"]))
    if dtype != "float32":
        size = min(size, int(settings.get("low_precision_batch", size)))
    return seeded_batch(x, y, size, int(settings["seed"]) + offset)


def apis(tf, framework):
    """[API] in this environment, the first one the version's own (tf.layers on TF 1.x)."""
    from initcompat.measurements.propagation import models
    found = []
    if framework == "keras":
        import keras
        return [models.KerasOpsApi(keras)]
    major = int(tf.__version__.split(".")[0])
    v1 = getattr(getattr(tf, "compat", None), "v1", None) or tf
    if major < 2:
        found.append(models.GraphApi(tf, schema.FAMILY_TF_LAYERS, tf.layers,
                                     tf.keras.initializers, keras_style=False))
        found.append(models.GraphApi(tf, schema.FAMILY_TF_KERAS, tf.keras.layers,
                                     tf.keras.initializers, keras_style=True))
    else:
        found.append(models.EagerApi(tf, schema.FAMILY_TF_KERAS, tf.keras))
    for package, label in (("keras", schema.FAMILY_KERAS), ("tf_keras", schema.FAMILY_TF_KERAS_PACKAGE)):
        try:
            module = __import__(package)
            module.layers.Dense
        except Exception:
            continue
        if module.layers.Dense is tf.keras.layers.Dense:
            continue  # the same Keras under two names (tf.keras is keras from TF 2.6 on)
        if major < 2:
            found.append(models.GraphApi(tf, label, module.layers, module.initializers,
                                         keras_style=True))
        else:
            found.append(models.EagerApi(tf, label, module))
    del v1
    return found


def initializer_maker(api, spec):
    from initcompat.measurements.propagation import models
    v1_functions = None
    if api.label == schema.FAMILY_TF_LAYERS:
        v1_functions = getattr(getattr(api.tf, "compat", None), "v1", None) or api.tf
    return models.initializer_factory(api.initializers, spec, v1_functions)


def measure_at_init(api, model, initializer, dtype, batch, seed, calibration=None):
    """One record: the model at initialization in `api` and `dtype`; an initializer spec with
    "lsuv": true is rescaled on `calibration` first (LSUV), and the record says so."""
    record = {"api": api.label, "model": model["name"], "initializer": initializer["label"],
              "dtype": dtype}
    started = time.time()
    try:
        make = initializer_maker(api, initializer)
        rescale_on = None
        if initializer.get("lsuv"):
            rescale_on = calibration[0]
            record["rescaled"] = "lsuv"
        outcome = api.run(model, make, batch[0], batch[1], dtype, seed, rescale_on=rescale_on)
        record["layers"] = [layer_record(i, e) for i, e in enumerate(outcome["layers"])]
        record["logits"] = logits_record(outcome["logits"])
        record["loss"] = {"naive": None if outcome["naive"] is None else _finite(outcome["naive"]),
                          "stable": None if outcome["stable"] is None
                          else _finite(outcome["stable"]),
                          "error": outcome["loss_error"]}
        record["status"] = schema.PROP_OK
    except Exception as error:
        record.update(status=schema.PROP_ERROR, reason=_error(error), layers=[])
    record["seconds"] = round(time.time() - started, 3)
    return record


def training_batches(x, y, settings):
    """The same seeded batches for every run: batch k drawn with seed (seed, k)."""
    batches = []
    for step in range(int(settings["steps"])):
        order = np.random.RandomState([int(settings["seed"]), step]).randint(
            0, len(x), int(settings["batch"]))
        batches.append((x[order], y[order]))
    return batches


def training_record(api_label, model, initializer, loss_kind, settings):
    """What every training record starts with: which run it is."""
    return {"api": api_label, "model": model["name"], "initializer": initializer["label"],
            "loss_kind": loss_kind, "optimizer": "gradient descent",
            "learning_rate": settings["learning_rate"], "batch": settings["batch"],
            "steps": settings["steps"]}


def measure_training(api, model, initializer, loss_kind, batches, settings):
    record = training_record(api.label, model, initializer, loss_kind, settings)
    started = time.time()
    try:
        history = api.training(model, initializer_maker(api, initializer), batches, loss_kind,
                               float(settings["learning_rate"]), int(settings["seed"]))
        record["loss"] = [_finite(value) for value, _ in history]
        record["logit_gap"] = [_finite(gap) for _, gap in history]
        bad = [index for index, (value, _) in enumerate(history) if not math.isfinite(value)]
        record["first_nonfinite_step"] = bad[0] + 1 if bad else None
        record["status"] = schema.PROP_OK
    except Exception as error:
        record.update(status=schema.PROP_ERROR, reason=_error(error), loss=[], logit_gap=[],
                      first_nonfinite_step=None)
    record["seconds"] = round(time.time() - started, 3)
    return record


def measure(tf, framework, settings, data, echo, training_child=None):
    """(records at initialization, training records, API labels); the training records from
    `training_child` (a TrainingChild) when given, else measured here after the others."""
    found = apis(tf, framework)
    records = []
    for api_index, api in enumerate(found):
        dtypes = settings["dtypes"] if api_index == 0 else settings["dtypes"][:1]
        for model in settings["models"]:
            for dtype in dtypes:
                batch = model_batch(model, data, settings, dtype)
                calibration = model_batch(model, data, settings, dtype, offset=1)
                for initializer in settings["initializers"]:
                    records.append(measure_at_init(api, model, initializer, dtype, batch,
                                                   int(settings["seed"]), calibration))
        echo("%s %s: %d models at initialization" % (PREFIX, api.label, len(settings["models"])))
    trainer = training_api(found, framework)
    if training_child is not None:
        training = training_child.training(trainer, settings)
    else:
        training = measure_all_training(trainer, settings, data)
    return records, training, [api.label for api in found]


def training_api(found, framework):
    """The API the training runs use: the first one with gradients (None: no training)."""
    return None if framework == "keras" or not found else found[0]


def training_runs(settings):
    """(model, plan, [(initializer, loss kind)]) of the suite's training plan, in run order;
    None when it has none."""
    plan = settings.get("training")
    if not plan:
        return None
    model = dict((m["name"], m) for m in settings["models"])[plan["model"]]
    plan = dict(plan, seed=plan.get("seed", settings["seed"]))
    chosen = plan.get("initializers")
    runs = [(initializer, loss_kind) for initializer in settings["initializers"]
            if chosen is None or initializer["label"] in chosen for loss_kind in plan["losses"]]
    return model, plan, runs


def measure_all_training(trainer, settings, data):
    """Every training run of the plan in `trainer` (an API, or None: no runs)."""
    planned = training_runs(settings)
    if planned is None or trainer is None:
        return []
    model, plan, runs = planned
    x, y = model_inputs(model, data)
    batches = training_batches(x, y, plan)
    return [measure_training(trainer, model, initializer, loss_kind, batches, plan)
            for initializer, loss_kind in runs]


class TrainingChild(ChildProcess):
    """The training runs in a process of their own (this module, --training-only), started
    before the parent imports TensorFlow."""

    def __init__(self, arguments, command=None):
        """`command` (tests only) replaces the child's command line; it is given --out."""
        if command is None:
            command = [sys.executable, "-m", "initcompat.measurements.propagation.probe", "--suite",
                       arguments.suite, "--env-name", arguments.env_name,
                       "--framework", arguments.framework, "--training-only"]
        ChildProcess.__init__(self, command)

    def training(self, trainer, settings):
        """The child's training records; when it failed, an error record per planned run."""
        document, failure = self.wait()
        if failure is None:
            if isinstance(document, dict) and isinstance(document.get("training"), list):
                return document["training"]
            failure = "left no readable records (no training list)"
        planned = training_runs(settings)
        if planned is None or trainer is None:
            return []
        model, plan, runs = planned
        reason = ("the training process %s" % failure)[-MAX_REASON:]
        return [dict(training_record(trainer.label, model, initializer, loss_kind, plan),
                     status=schema.PROP_ERROR, reason=reason, loss=[], logit_gap=[],
                     first_nonfinite_step=None, seconds=0.0)
                for initializer, loss_kind in runs]


def parse_arguments(argv):
    return step.parse_step_arguments("python -m initcompat.measurements.propagation.probe",
                                     "Push a batch through the suite's models.", argv,
                                     training_only=True)


def load_suite(path):
    """(suite, propagation settings, data path); SystemExit with one line when unusable."""
    suite, settings = step.read_suite_section(
        path, "propagation", ("seed", "batch", "dtypes", "initializers", "models", "data"), PREFIX)
    for index, model in enumerate(settings["models"]):
        missing = [key for key in ("name", "input", "scale", "input_shape", "layers")
                   if not isinstance(model, dict) or key not in model]
        if missing:
            raise SystemExit("%s suite %s lacks propagation.models[%d].%s"
                             % (PREFIX, path, index, missing[0]))
    return suite, settings, data_file(path, settings["data"])


def data_file(suite_path, name):
    """The data file a suite names: beside the suite, else the repository's suites/ folder (a
    user's own suite elsewhere still finds the shipped digits)."""
    beside = os.path.join(os.path.dirname(os.path.abspath(suite_path)), name)
    if os.path.exists(beside):
        return beside
    shipped = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                           os.pardir, os.pardir, "suites", name)
    return os.path.normpath(shipped) if os.path.exists(shipped) else beside


def design(settings, data):
    """What was asked, for the report: the models, initializers, dtypes, training plan, and the
    input statistics of each model's batch (the prediction starts from them)."""
    inputs = {}
    for model in settings["models"]:
        batch = model_batch(model, data, settings, "float32")[0]
        inputs[model["name"]] = tensor_statistics(batch)
        if batch.ndim == 4:  # (n, h, w, c): the per-pixel second moment the prediction starts from
            pixels = np.mean(batch.astype(np.float64) ** 2, axis=(0, 3))
            inputs[model["name"]]["second_moment_map"] = [
                [float("%.6g" % value) for value in row] for row in pixels]
    return {"seed": settings["seed"], "batch": settings["batch"], "dtypes": settings["dtypes"],
            "initializers": settings["initializers"], "models": settings["models"],
            "training": settings.get("training"), "inputs": inputs}


def main(argv=None):
    arguments = parse_arguments(argv)
    suite, settings, data_path = load_suite(arguments.suite)
    data = load_data(data_path)
    if arguments.training_only:
        return train_only(arguments, settings, data)
    started = time.time()
    body = {"status": schema.ENV_OK, "reason": None, "records": [], "training": [], "apis": []}

    def echo(line):
        sys.stderr.write(line + "\n")

    child = None
    try:
        if settings.get("training") and arguments.framework != "keras":
            child = TrainingChild(arguments)
        tf, versions = step.import_framework(arguments.framework)
        body["records"], body["training"], body["apis"] = measure(tf, arguments.framework,
                                                                  settings, data, echo, child)
        body["versions"] = step.add_keras_versions(versions)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a failure is data: the file says what happened
        body.update(status=schema.ENV_PROBE_CRASHED, reason=_error(error),
                    log_tail=traceback.format_exc()[-schema.TAIL_CHARS:])
    finally:
        if child is not None:
            child.close()
    body["timings"] = {"seconds": round(time.time() - started, 3)}
    body["design"] = design(settings, data)
    write_json_atomic(arguments.out, schema.measurement_record(schema.KIND_PROPAGATION,
                                                               arguments.env_name, body,
                                                               suite=schema.suite_identity(
                                                                   arguments.suite, suite)))
    ok = sum(1 for r in body["records"] if r["status"] == schema.PROP_OK)
    print("%s %s: %d runs at initialization (%d ok), %d training runs, %.1f s" % (
        PREFIX, arguments.env_name, len(body["records"]), ok, len(body["training"]),
        time.time() - started))
    return 0


def train_only(arguments, settings, data):
    """The TrainingChild's side: the training runs alone, into --out (a temporary file)."""
    tf, _ = step.import_framework(arguments.framework)
    trainer = training_api(apis(tf, arguments.framework), arguments.framework)
    write_json_atomic(arguments.out, {"training": measure_all_training(trainer, settings, data)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
