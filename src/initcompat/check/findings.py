"""What the check reports: one finding per changed call and kind of change, with its stable code,
what the data says on each side, and a fix where one exists. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

# Stable codes: (short name, what the code means). Never renumber; add new codes at the end.
CODES = {
    "IC101": ("removed", "the call raises in the target environment (the API or layer is gone)"),
    "IC102": ("added", "the call raises in the source environment and works in the target"),
    "IC201": ("default-distribution",
              "a weight left to its default initializer draws another distribution"),
    "IC202": ("weight-shape", "a weight the call creates has another shape"),
    "IC203": ("layer-default", "a layer setting that shapes a weight has another default"),
    "IC204": ("fan-rule", "the same initializer computes other fans for this weight"),
    "IC301": ("initializer-removed", "the initializer is no longer offered or raises"),
    "IC302": ("initializer-added", "the initializer was not offered in the source environment"),
    "IC303": ("initializer-distribution", "the initializer draws another distribution"),
    "IC401": ("seeding-lost", "the seeding call no longer gives reproducible weights"),
    "IC402": ("seeded-weights-differ",
              "the same seed gives other weights than in the source environment"),
    "IC403": ("seeding-gained", "the seeding call gives reproducible weights only in the target"),
    "IC501": ("legacy-keras", "TF_USE_LEGACY_KERAS changes what tf.keras is"),
}
# How far a fix was checked: "measured" (the data shows the fix's code drawing the source's
# behaviour in the target environment), "unverified" (derived from the measurements and the
# report's theory, not run in the target environment), "none" (nothing in the target measured
# gives the source's behaviour). `--verify` runs an unverified fix in the target environment
# (initcompat.check.verify) and it ends as "verified" (its draws match the source's measured
# ones), "differs" (they do not: no fix after all) or "raised" (the code raises there).
MEASURED = "measured"
UNVERIFIED = "unverified"
NONE = "none"
VERIFIED = "verified"
DIFFERS = "differs"
RAISED = "raised"
FIX_STATUSES = (MEASURED, UNVERIFIED, NONE, VERIFIED, DIFFERS, RAISED)


@dataclass(frozen=True)
class Fix:
    code: str  # what to write instead, or "" where nothing gives the old behaviour
    status: str  # FIX_STATUSES
    why: str  # what the status rests on
    # How to run an unverified fix in the target (initcompat.check.plan reads it), or None.
    recipe: dict | None = field(default=None, compare=False)
    # What running it found (initcompat.check.verdicts.Verdict.facts), or None.
    verification: dict | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    call: str  # the callee as the file spells it
    message: str  # one line
    details: tuple = ()  # further lines: each side in words and numbers
    fixes: tuple = ()  # Fix, best first
    data: dict = field(default_factory=dict)  # the machine-readable facts (JSON output)

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.code, self.message)


def drawn_words(summary: dict) -> str:
    """A weight's default in words and numbers: 'Glorot uniform: uniform on ±0.21 (Glorot:
    limit=sqrt(6/(fan_in+fan_out)); fan_in=96, fan_out=40)'; what was drawn where the draws do
    not fit the declaration."""
    declared = summary.get("declared") or summary.get("class") or "unknown initializer"
    theory, drawn = summary.get("theory"), summary.get("drawn")
    if summary.get("fit") == "inconsistent" and drawn:
        return f"drawn {drawn} (declares {declared}{f': {theory}' if theory else ''})"
    if theory:
        return f"{declared}: {theory}"
    return f"{declared}{f' (drawn {drawn})' if drawn else ''}"


def shape_words(summary: dict) -> str:
    shape = summary.get("shape")
    return "×".join(str(d) for d in shape) if isinstance(shape, list) and shape else "?"
