"""View model -> HTML text (Jinja2, autoescape on: result files are input, never markup)."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources

import jinja2

from initcompat.report.sections import View


def jinja_environment() -> jinja2.Environment:
    """The templates, autoescaped and strict about undefined names."""
    loader = jinja2.PackageLoader("initcompat.report", "templates")
    environment = jinja2.Environment(loader=loader, autoescape=True,
                                     undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment


def render_index(view: View, generated: datetime | None = None) -> str:
    """The self-contained index.html: inline CSS, JS and data; no network access needed."""
    script = resources.files("initcompat.report").joinpath("templates/report.js").read_text()
    generated = generated or datetime.now(timezone.utc)
    return jinja_environment().get_template("index.html.j2").render(
        view=view, script=script, generated=generated.strftime("%Y-%m-%d %H:%M UTC"))
