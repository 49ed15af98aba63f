"""initcompat check: which lines of your own code change behaviour between two environments.

    python -m initcompat.check PATH... --from tf-1.15 --to tf-2.16 [--format text|json|sarif]
                               [--data reports/compat-data.json | --results results/]

The files are read with `ast` (reader.py), never imported; each call is mapped onto the probe's
API families, layer kinds and weight roles (uses.py) and compared between the two environments
in the report's compat-data.json (data.py; written by initcompat.report.compat_data): layers
(layers.py: availability, the default each weight left to it draws, fans, shapes, layer
defaults, the layer's own seeded bytes), initializers (inits.py), seeding calls (seeds.py) and
TF_USE_LEGACY_KERAS (run.py). Which events lie between two environments is the upgrade view's
rule (initcompat.report.event_range, stdlib only). Output: output.py; codes and fix statuses:
findings.py. Stdlib only, but for --results (the report's analysis) and --verify (verify.py:
fixes run in the target environment, docs/check.md).

A fix is "measured" where the data shows its code drawing the source's behaviour in the target
(another family's cells, a seeding call's bytes, an initializer's draws there), "unverified"
where it rests on the source's declaration and the report's theory but was not run in the
target, and no fix is offered where nothing measured gives the old behaviour. --verify runs
each unverified fix in the target environment and compares its draws with the source's measured
ones (verify.py, plan.py, verdicts.py; host/fix_runner.py, probe/fix_runs.py): it ends
"verified", "differs" or "raised" (docs/check.md).

GitHub code scanning turns the SARIF output into pull-request annotations; an example job (the
check exits 1 when something changes, so the upload runs on failure too; 2 is bad input):

    check-initializers:
      runs-on: ubuntu-latest
      permissions: {contents: read, security-events: write}
      steps:
        - uses: actions/checkout@v4
        - uses: actions/checkout@v4
          with: {repository: OWNER/initcompat, path: .initcompat}
        - uses: actions/setup-python@v5
          with: {python-version: "3.12"}
        - run: |
            PYTHONPATH=.initcompat/src python -m initcompat.check src/ --from tf-2.15 \\
              --to tf-2.16 --data .initcompat/reports/compat-data.json --format sarif \\
              > initcompat.sarif || [ $? -eq 1 ]
        - uses: github/codeql-action/upload-sarif@v3
          if: always()
          with: {sarif_file: initcompat.sarif, category: initcompat}
"""
