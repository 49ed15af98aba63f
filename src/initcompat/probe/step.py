"""What every measurement step's command line shares (measurements/initializers/probe.py,
measurements/propagation/probe.py): its arguments, reading its section of the suite with one-line
errors, importing the framework and recording the versions. Python 3.6-clean.
"""

import argparse
import json
import sys


def parse_step_arguments(prog, description, argv, training_only=False):
    """The shared arguments; `training_only` adds the propagation step's internal flag."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--env-name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--framework", choices=("tensorflow", "keras"), default="tensorflow",
                        help="keras: a Keras session without TensorFlow (KERAS_BACKEND set)")
    if training_only:
        parser.add_argument("--training-only", action="store_true",
                            help="internal: only the training runs, into --out (a child's file)")
    return parser.parse_args(argv)


def read_suite_section(path, section, keys, prefix):
    """(suite, suite[section]) with every key of `keys` present; SystemExit with one line naming
    the file and the problem otherwise."""
    try:
        with open(path) as handle:
            suite = json.load(handle)
        settings = suite[section]
        for key in keys:
            settings[key]
        return suite, settings
    except (IOError, OSError) as error:
        raise SystemExit("%s cannot read suite %s: %s" % (prefix, path, error.strerror))
    except ValueError as error:
        raise SystemExit("%s suite %s is not valid JSON: %s" % (prefix, path, error))
    except (KeyError, TypeError) as error:
        raise SystemExit("%s suite %s lacks %s.%s" % (prefix, path, section, error))


def import_framework(framework):
    """(tensorflow module or None, versions) for --framework: TensorFlow, or Keras alone on the
    backend KERAS_BACKEND names."""
    if framework == "keras":
        import keras
        tf = None
        versions = {"tensorflow": None, "backend": keras.backend.backend()}
    else:
        import tensorflow as tf
        versions = {"tensorflow": tf.__version__}
    versions["python"] = "%d.%d.%d" % sys.version_info[:3]
    return tf, versions


def add_keras_versions(versions):
    """The Keras packages the measurement imported, with their versions (None: not imported)."""
    for package in ("keras", "tf_keras"):
        module = sys.modules.get(package)
        versions[package] = getattr(module, "__version__", None) if module else None
    return versions
