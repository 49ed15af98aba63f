"""View model -> HTML text (Jinja2, autoescape on: result files are input, never markup)."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import jinja2

from initcompat import measurements
from initcompat.measurements import registry
from initcompat.report.describe import NO_GPU
from initcompat.report.packed import pack_json, pack_markup
from initcompat.report.sections import View


def jinja_environment() -> jinja2.Environment:
    """The templates, autoescaped, strict about undefined names, with the shared globals."""
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader("initcompat.report", "templates"),
                                  jinja2.PrefixLoader({"sections": jinja2.FileSystemLoader(
                                      measurement_template_folders())})])
    environment = jinja2.Environment(loader=loader, autoescape=True,
                                     undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.globals["pack"] = pack_markup  # lazy.html.j2's folds
    environment.globals["pack_json"] = pack_json  # the page's packed data block
    environment.globals["NO_GPU"] = NO_GPU  # the one "no GPU" sentence, for every template
    # at the start of a sentence ("No GPU"; Jinja's capitalize would lower the rest: "No gpu")
    environment.globals["NO_GPU_CAPITALIZED"] = NO_GPU[:1].upper() + NO_GPU[1:]
    # the page's data block: no spaces after separators (a tenth of its size), UTF-8 text as
    # is (tojson still escapes <, >, & and '), keys sorted
    environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":"),
                                                 "ensure_ascii": False}
    return environment


def measurement_template_folders() -> list[str]:
    """The report-side folders of the measurements that have their own folder
    (initcompat/measurements/NAME/section/): their templates are found as sections/FILE, beside
    templates/sections/ of the report."""
    root = Path(measurements.__file__).parent
    return [str(folder) for folder in sorted(root.glob(f"*/{registry.REPORT_SIDE_FOLDER}"))
            if folder.is_dir()]


def render_index(view: View, generated: datetime | None = None) -> str:
    """The self-contained index.html: inline CSS, JS and data; no network access needed."""
    script = resources.files("initcompat.report").joinpath("templates/report.js").read_text()
    generated = generated or datetime.now(timezone.utc)
    return jinja_environment().get_template("index.html.j2").render(
        view=view, script=script, generated=generated.strftime("%Y-%m-%d %H:%M UTC"))
