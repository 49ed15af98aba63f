"""The initializers measurement: every initializer each namespace of the installed version
offers, called directly (constructed with no arguments, through get(alias), and with the suite's
explicit arguments) and drawn on the suite's shapes, with a strict tail audit of the bounded
ones (NAME.initializers.json).

  probe.py       the step (python -m initcompat.measurements.initializers.probe): measures each
                 namespace, writes the file
  namespaces.py  where it looks: the namespaces, the initializers and aliases each offers
  drawer.py      how it draws (eagerly or in one TF 1.x graph) and summarizes the draws
  audit.py       the tail audit: many values per bounded initializer, counted outside its
                 support, and the Anderson-Darling statistic
  validation.py  the file kind's validation (validate_initializers, and the initializer record
                 a fix run writes: probe.fix_runs draws with this step's Drawer too)
  section/       the report's Initializers section, its CSV and template (the records' reading,
                 report/initializer_records.py, and the audit's statistics,
                 report/tail_audit.py, stay in report/: other sections use them)

Everything but section/ runs inside the environments (Python 3.6-clean). Tests:
tests/unit/measurements/initializers/ and tests/integration/test_initializers_real_tf.py.
"""
