"""The seeding measurement: which seeding methods give the same weights in two fresh processes,
per API family and target, in every measured version (NAME.seeding.json).

  probe.py       the step (python -m initcompat.measurements.seeding.probe): runs the second
                 fresh process beside this one, combines both into records, writes the file
  families.py    the API families and seeding methods, as each version offers them
  draws.py       one process's measurement: every method x target, drawn twice
  validation.py  the file kind's validation (validate_seeding)
  section/       the report's Seeding section, its events, words, CSV and template

Everything but section/ runs inside the environments (Python 3.6-clean). Tests:
tests/unit/measurements/seeding/ and tests/integration/test_seeding_real_tf.py.
"""
