"""The propagation measurement: signal propagation through the suite's models at initialization
and through a short training run, in each environment's own APIs: why
`truncated_normal_initializer(stddev=0.1)` gave the seed question's asker NaN
(NAME.propagation.json).

  probe.py       the step (python -m initcompat.measurements.propagation.probe): the runs at
                 initialization here, the training runs in a child process (TrainingChild),
                 the design and the input statistics; writes the file
  models.py      the suite's models built and run in each API (graph: tf.layers, tf.compat.v1;
                 eager: tf.keras, Keras 3), LSUV, the losses, the training loop
  validation.py  the file kind's validation (validate_propagation)
  section/       the report's "Why NaN?" section: conclusion, explanation, charts, tables,
                 events, CSV, template, and the mean-field prediction (mean_field.py)

Everything but section/ runs inside the environments (Python 3.6-clean). Tests:
tests/unit/measurements/propagation/ and tests/integration/test_propagation_real_tf.py.
"""
