"""The "Why NaN?" section: the seed question's second half, answered from the propagation step's
NAME.propagation.json (initcompat.measurements.propagation.probe). Pure.

The asker set `tf.truncated_normal_initializer(stddev=0.1)` on the TF layers tutorial's CNN and
got NaN. The section opens with a conclusion of at most three sentences (which model's loss
turns NaN at which logit gap, why the tutorial's CNN does not, the fix) and the table behind it;
then, folded, the long explanation in the newest TF 1.x (tf.layers, the asker's API) and TF 2.x
(tf.keras), the charts (activation std against depth, measured and the mean-field prediction of
mean_field.py; loss against training step), a row per version, the prediction against the
measurement; reports/propagation.csv and reports/training.csv.

  records.py      reading one propagation body; numbers' text
  conclusion.py   the three sentences and the table behind them
  explanation.py  the long explanation, step by step, and the naive loss over versions
  charts.py       the SVG charts
  tables.py       per version, prediction, not measurable, the two CSV tables
  events.py       timeline events: a loss that starts or stops being finite
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.describe import one_line
from initcompat.report.measured import Measured
from initcompat.measurements.propagation.section.charts import depth_chart, training_chart
from initcompat.measurements.propagation.section.conclusion import conclusion, summary_rows
from initcompat.measurements.propagation.section.events import TIMELINE_KIND, propagation_events
from initcompat.measurements.propagation.section.explanation import (answer_paragraphs,
                                                                     naive_loss_versions)
from initcompat.measurements.propagation.section.records import (
    Found, body_of, env_name, first_api, models_of, primaries, runs)
from initcompat.measurements.propagation.section.tables import (
    PROPAGATION_COLUMNS, TRAINING_COLUMNS, VERSION_COLUMNS, csv_rows, prediction_rows,
    unmeasurable, version_row)

__all__ = ["Propagation", "build_propagation", "TIMELINE_KIND", "runs"]


@dataclass(frozen=True)
class Propagation:
    present: bool  # some environment has a propagation file
    conclusion: list[str]  # at most three sentences, every number from the files
    summary: list[dict]  # the table behind the conclusion (conclusion.summary_rows)
    environments: int  # how many environments the conclusion and its table read
    answer: list[str]  # the plain-words answer, one paragraph each, every number from the files
    #                    (the newest TF 1.x: the asker's API), then the version ranges
    more: list[dict]  # {"title", "paragraphs"}: the same answer in the newer references
    explained: list[str]  # the environments the answer and `more` explain ("TF 1.15 (tf.layers)")
    references: list[dict]  # {"env", "label", "api"}: the environments the charts show
    charts: list[dict]  # {"title", "env", "model", "svg": {...}, "legend": [...]}
    training: list[dict]  # {"title", "svg", "legend", "rows": [...]} per reference environment
    versions: list[dict]  # {"label", "env", "api", "cells": [...]} per environment, page order
    version_columns: list[str]
    prediction: list[dict]  # {"env", "model", "initializer", "api", "ratios", "within", "parts"}
    missing: list[str]  # environments that ran but have no propagation file
    failed: list[dict]  # {"env", "status", "reason"}
    errors: list[dict]  # {"text", "range"}: what could not be measured, over versions
    events: list[dict]  # timeline events (kind TIMELINE_KIND): a loss that starts or stops being
    #                     finite between two environments compared
    table: list[dict]  # reports/propagation.csv
    training_table: list[dict]  # reports/training.csv


def _references(found: list[Found]) -> list[Found]:
    """The newest TF 1.x, the newest TF 2.x and the newest Keras without TensorFlow (no
    variants; Keras on JAX where measured, its most used backend beside TensorFlow)."""
    chosen: dict[str, tuple] = {}
    for env, result, body in found:
        if env.get("variant_of") or env["line"] == "keras · tensorflow":
            continue
        if env["line"] != "tensorflow":
            group = "keras"
            if "keras" in chosen and chosen["keras"][0]["line"] == "keras · jax" and \
                    env["line"] != "keras · jax":
                continue
        elif str(env["tensorflow"]).startswith("1."):
            group = "tf1"
        else:
            group = "tf2"
        chosen[group] = (env, result, body)  # page order: the last is the newest
    return [chosen[g] for g in ("tf1", "tf2", "keras") if g in chosen]


def build_propagation(measured: Measured) -> Propagation:
    found = primaries(measured)
    missing = [env["name"] for env, result in zip(measured.envs, measured.results)
               if env["status"] == "ok" and result.get(schema.KIND_PROPAGATION) is None]
    failed = [{"env": env["name"], "status": result[schema.KIND_PROPAGATION].get("status"),
               "reason": one_line(result[schema.KIND_PROPAGATION].get("reason"), 200)}
              for env, result in zip(measured.envs, measured.results)
              if result.get(schema.KIND_PROPAGATION) is not None and body_of(result) is None]
    if not found:
        return Propagation(False, [], [], 0, [], [], [], [], [], [], [], VERSION_COLUMNS, [],
                           missing, failed, [], [], [], [])
    references = _references(found)
    tf_references = [r for r in references if r[0]["line"] == "tensorflow"]
    answer, more, explained = [], [], []
    for reference in tf_references[:2]:
        paragraphs = answer_paragraphs(reference, reference)
        if paragraphs:
            explained.append(f"{env_name(reference[0])} ({first_api(reference[2])})")
        if not answer:
            answer = paragraphs
        elif paragraphs:
            env, _, body = reference
            more.append({"title": f"The same in TensorFlow {env['label']} ({first_api(body)})",
                         "paragraphs": paragraphs})
    versions_text = naive_loss_versions(found)
    if versions_text:
        answer.append(versions_text)
    charts, training = [], []
    for env, _, body in references:
        initializers = [i["label"] for i in (body.get("design") or {}).get("initializers") or []]
        for model in models_of(body):
            chart = depth_chart(env, body, model, initializers)
            if chart:
                charts.append(chart)
        chart = training_chart(env, body)
        if chart:
            training.append(chart)
    prediction = [row for reference in references for row in prediction_rows(reference)]
    table, training_table = csv_rows(found)
    return Propagation(
        present=True, conclusion=conclusion(found), summary=summary_rows(found),
        environments=sum(1 for env, _, _ in found if not env.get("variant_of")),
        answer=answer, more=more, explained=explained,
        references=[{"env": env["name"], "label": env["label"], "api": first_api(body)}
                    for env, _, body in references],
        charts=charts, training=training,
        versions=[version_row(env, body) for env, _, body in found],
        version_columns=VERSION_COLUMNS, prediction=prediction,
        missing=missing, failed=failed, errors=unmeasurable(found),
        events=propagation_events(measured), table=table,
        training_table=training_table)


# The report's CSV files of this section: (file name, its rows from the section, columns first).
CSV_TABLES = (("propagation.csv", lambda section: section.table, PROPAGATION_COLUMNS),
              ("training.csv", lambda section: section.training_table, TRAINING_COLUMNS))
