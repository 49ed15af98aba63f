"""One adapter per API family: how to reach it, build a layer with no initializer arguments,
seed it, and read back the drawn weights.

Graph families (tf.layers, tf.compat.v1.layers, and tf.keras on TF 1.x) build inside a fresh
tf.Graph and run the initializers in a Session; eager families (tf.keras on TF 2.x, keras 3,
tf_keras) build with layer.build().

Beside them, the TF1-style APIs (probe_families): tf.compat.v1.keras (eager in TF 2, in a graph
in TF 1), tf.contrib.layers (fully_connected, conv2d), tf.compat.v1.nn.rnn_cell (LSTMCell,
GRUCell), tf.compat.v1.get_variable with no initializer, and get_variable, tf.compat.v1.layers
and tf.keras inside variable_scope(initializer=SCOPE_INITIALIZER). Where tf.compat.v1 does not
exist yet (TF < 1.13) they reach the same functions at tf.X.

What a graph layer's variable was created with is observed, not asked: the build runs inside a
variable_creator_scope, which sees each variable's initial_value, a functools.partial of (or,
in TF 1.x, a lambda closing over) the initializer get_variable or Keras resolved. Where a
layer passes initializer=None that observation is the declared initializer; what
_VariableStore._get_default_initializer answers is kept beside it only where it differs (in
tf.compat.v1.layers from TF 2.6 on, Keras' base layer resolves None to its own GlorotUniform
before get_variable sees it). TF 1.4 and 1.5 have no variable_creator_scope: there the fallback
answer (or the enclosing scope's initializer) is the declaration, labelled as inferred.

The adapters live in family.py (the interface), declarations.py, graph_family.py,
tf1_families.py, scoped_families.py and keras_families.py; this module picks the families an
environment probes and re-exports the names its callers use. Python 3.6-clean.
"""

from initcompat.probe import schema
from initcompat.probe.declarations import initializer_of  # noqa: F401 (re-exported)
from initcompat.probe.family import (  # noqa: F401 (re-exported)
    FamilyUnavailable, compat_v1, reach, settings_only)
from initcompat.probe.keras_families import (  # noqa: F401 (re-exported)
    CompatV1GraphKerasFamily, EagerKerasFamily, GraphKerasFamily, StandaloneGraphKerasFamily,
    load_standalone_keras, load_tf_keras, tf_keras_installed)
from initcompat.probe.scoped_families import (ScopedGetVariableFamily, ScopedKerasFamily,
                                              ScopedLayersFamily)
from initcompat.probe.tf1_families import (CompatV1LayersFamily,  # noqa: F401 (re-exported)
                                           ContribLayersFamily, GetVariableFamily, RnnCellFamily,
                                           TfLayersFamily)


def families_for(tf, legacy_keras):
    """The five main families (tf.layers, tf.compat.v1.layers, tf.keras, keras; tf_keras with
    tf.compat.v1.layers under legacy Keras), in report order: what the throughput step times."""
    major = int(tf.__version__.split(".")[0])
    if legacy_keras:
        compat = CompatV1LayersFamily(tf)
        compat.legacy_keras = True
        return [compat, EagerKerasFamily(tf, schema.FAMILY_TF_KERAS_PACKAGE, load_tf_keras, True)]
    families = [TfLayersFamily(tf), CompatV1LayersFamily(tf)]
    if major < 2:
        families.append(GraphKerasFamily(tf))
    else:
        families.append(EagerKerasFamily(tf, schema.FAMILY_TF_KERAS, lambda: reach(tf, "keras")))
    if major < 2:  # standalone Keras 2.x on TF 1.x builds graph variables
        families.append(StandaloneGraphKerasFamily(tf))
    else:
        families.append(EagerKerasFamily(tf, schema.FAMILY_KERAS, load_standalone_keras))
    return families


def _legacy(family):
    family.legacy_keras = True
    return family


def probe_families(tf, legacy_keras):
    """Every family the probe measures in this process: families_for's, with the TF1-style APIs
    beside them. The graph families come before the eager Keras ones (a Keras seeding call
    must not leave seed state behind for a graph build: tf_keras 2.16-2.18's broken
    set_random_seed would fail every later initializer); tf.compat.v1.keras comes after
    tf.keras, whose cells it reuses where its classes are the same. Under legacy Keras only the
    families that route to tf_keras (get_variable alone is the same as in the parent)."""
    major = int(tf.__version__.split(".")[0])
    mainline = families_for(tf, legacy_keras)
    if legacy_keras:
        compat_layers, tf_keras = mainline
        return [compat_layers, _legacy(RnnCellFamily(tf)), _legacy(ScopedLayersFamily(tf)),
                tf_keras,
                _legacy(EagerKerasFamily(tf, schema.FAMILY_COMPAT_V1_KERAS,
                                         lambda: reach(tf, "compat.v1.keras"), True,
                                         seeding_loader=load_tf_keras,
                                         seeding_name=schema.FAMILY_TF_KERAS_PACKAGE))]
    tf_layers, compat_layers, tf_keras, keras = mainline
    if major < 2:
        compat_keras = CompatV1GraphKerasFamily(tf)
    else:
        compat_keras = EagerKerasFamily(tf, schema.FAMILY_COMPAT_V1_KERAS,
                                        lambda: reach(tf, "compat.v1.keras"),
                                        seeding_loader=lambda: reach(tf, "keras"),
                                        seeding_name=schema.FAMILY_TF_KERAS)
    return [tf_layers, compat_layers, ContribLayersFamily(tf), RnnCellFamily(tf),
            GetVariableFamily(tf), ScopedGetVariableFamily(tf), ScopedLayersFamily(tf),
            ScopedKerasFamily(tf), tf_keras, keras, compat_keras]
