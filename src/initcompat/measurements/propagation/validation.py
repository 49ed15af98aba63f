"""The propagation step's NAME.propagation.json: a record per API x model x initializer x dtype
(one per layer inside) and the training runs.
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (OPTIONAL_DICT, OPTIONAL_LIST, OPTIONAL_NUMBER,
                                          OPTIONAL_TEXT, SchemaError, check_count, check_fields,
                                          check_number_list, check_optional_fields,
                                          validate_measurement)


PROPAGATION_RECORD_FIELDS = {"api": (str,), "model": (str,), "initializer": (str,),
                             "dtype": (str,), "status": (str,), "layers": (list,)}
PROPAGATION_RECORD_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "seconds": OPTIONAL_NUMBER,
                                      "logits": OPTIONAL_DICT, "loss": OPTIONAL_DICT,
                                      "rescaled": OPTIONAL_TEXT}
PROPAGATION_LAYER_FIELDS = {"index": (int,), "type": (str,), "activation": OPTIONAL_TEXT,
                            "output": (dict,), "pre_activation": (dict,)}
PROPAGATION_LAYER_OPTIONAL_FIELDS = {
    "kernel_shape": OPTIONAL_LIST, "output_shape": OPTIONAL_LIST, "fan_in": OPTIONAL_NUMBER,
    "fan_out": OPTIONAL_NUMBER, "fan_source": OPTIONAL_TEXT, "declared": OPTIONAL_DICT,
    "kernel_std": OPTIONAL_NUMBER, "kernel_mean": OPTIONAL_NUMBER, "grad_norm": OPTIONAL_NUMBER}
ACTIVATION_STATISTICS_FIELDS = {"n": (int,), "nonfinite": (int,)}
ACTIVATION_STATISTICS_OPTIONAL_FIELDS = dict(
    (name, OPTIONAL_NUMBER) for name in ("zero_fraction", "mean", "std", "second_moment",
                                         "max_abs", "min", "max", "max_gap"))
TRAINING_RECORD_FIELDS = {"api": (str,), "model": (str,), "initializer": (str,),
                          "loss_kind": (str,), "status": (str,), "loss": (list,),
                          "logit_gap": (list,), "first_nonfinite_step": (int, type(None))}
TRAINING_RECORD_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "seconds": OPTIONAL_NUMBER,
                                   "optimizer": OPTIONAL_TEXT, "learning_rate": OPTIONAL_NUMBER,
                                   "batch": OPTIONAL_NUMBER, "steps": OPTIONAL_NUMBER}
# A layer of a suite model has at most this many units per axis: a fan beyond it is damage.
LARGEST_FAN = 2 ** 31


def _validate_activation_statistics(statistics, where):
    check_fields(statistics, ACTIVATION_STATISTICS_FIELDS, where)
    check_optional_fields(statistics, ACTIVATION_STATISTICS_OPTIONAL_FIELDS, where)
    check_count(statistics["n"], where + ".n")
    check_count(statistics["nonfinite"], where + ".nonfinite", statistics["n"])
    fraction = statistics.get("zero_fraction")
    if fraction is not None and not 0 <= fraction <= 1:
        raise SchemaError("%s.zero_fraction: %r is outside [0, 1]" % (where, fraction))


def _check_optional_number_list(value, where):
    """A list of numbers where null stands for a value that was not finite."""
    if not isinstance(value, list):
        raise SchemaError("%s: expected a list, got %s" % (where, type(value).__name__))
    check_number_list([v for v in value if v is not None], where)


def validate_propagation(document):
    """The propagation step's NAME.propagation.json: a record per API x model x initializer x
    dtype at initialization (a record per layer inside), and the training runs."""
    validate_measurement(document, schema.KIND_PROPAGATION)
    for index, record in enumerate(document["records"]):
        where = "records[%d]" % index
        check_fields(record, PROPAGATION_RECORD_FIELDS, where)
        check_optional_fields(record, PROPAGATION_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.PROP_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        if record.get("logits") is not None:
            _validate_activation_statistics(record["logits"], where + ".logits")
        for position, layer in enumerate(record["layers"]):
            at = "%s.layers[%d]" % (where, position)
            check_fields(layer, PROPAGATION_LAYER_FIELDS, at)
            check_optional_fields(layer, PROPAGATION_LAYER_OPTIONAL_FIELDS, at)
            _validate_activation_statistics(layer["output"], at + ".output")
            _validate_activation_statistics(layer["pre_activation"], at + ".pre_activation")
            for name in ("fan_in", "fan_out"):
                check_count(layer.get(name), "%s.%s" % (at, name), LARGEST_FAN)
            for name in ("kernel_shape", "output_shape"):
                if layer.get(name) is not None:
                    check_number_list(layer[name], "%s.%s" % (at, name), integers=True)
    for index, record in enumerate(document.get("training") or []):
        where = "training[%d]" % index
        check_fields(record, TRAINING_RECORD_FIELDS, where)
        check_optional_fields(record, TRAINING_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.PROP_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        _check_optional_number_list(record["loss"], where + ".loss")
        _check_optional_number_list(record["logit_gap"], where + ".logit_gap")
        check_count(record["first_nonfinite_step"], where + ".first_nonfinite_step",
                    len(record["loss"]))
