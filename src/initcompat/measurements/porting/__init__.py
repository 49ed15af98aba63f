"""The porting measurement: each framework's default of Dense/Linear, Conv2d, Embedding and LSTM
expressed in another framework's code (snippets), run for real in that framework at the suite's
sizes and at a second set, and compared with the source framework's own draws
(NAME.porting.json).

  probe.py       the step (python -m initcompat.measurements.porting.probe [--framework F]): runs
                 in the framework sessions and the TensorFlow environments tagged porting
  theory.py      each framework's default per layer and weight, as a distribution of its fans
  snippets.py    the code that builds framework B's layer with framework A's default
  validation.py  the file kind's validation (validate_porting, PORTING_SHAPE_SETS)
  section/       the report's Porting section, its CSV and template, and comparisons.py: the
                 snippets' draws against the source's draws (two-sample tests, Holm)

Everything but section/ runs inside the environments (Python 3.6-clean). Tests:
tests/unit/measurements/porting/ and tests/integration/test_porting_real.py (needs the torch and
flax sessions).
"""
