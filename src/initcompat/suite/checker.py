"""The suite check's tools: a Checker that collects 'JSON-PATH what is wrong' lines, and how a
value is shown in them. Host side; stdlib only.
"""

from __future__ import annotations

from initcompat.probe import schema

COMMENT = schema.SUITE_COMMENT_KEY  # allowed in every object of a suite, never checked
LARGEST_SEED = 2 ** 32 - 1  # numpy's RandomState takes seeds below 2**32

def known(values) -> str:
    return ", ".join(sorted(values))


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Checker:
    """Collects problems as 'PATH what is wrong' lines."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def problem(self, path: str, text: str) -> None:
        self.found.append(f"{path} {text}" if path else text)

    def object(self, value, path: str) -> bool:
        if isinstance(value, dict):
            return True
        self.problem(path, f"must be an object, not {type_name(value)}")
        return False

    def fields(self, block: dict, path: str, required, optional=()) -> bool:
        """Every required field present, no field outside required + optional (+ comment)."""
        allowed = set(required) | set(optional) | {COMMENT}
        for name in block:
            if name not in allowed:
                self.problem(join(path, name), f"is not a field of {path or 'the suite'} "
                                                f"(known: {known(allowed - {COMMENT})})")
                return False
        for name in required:
            if name not in block:
                self.problem(path or "the suite", f"lacks {name!r}")
                return False
        return True

    def integer(self, value, path: str, smallest: int = 1, largest: int | None = None) -> bool:
        if not _is_integer(value) or value < smallest or (largest is not None and value > largest):
            bound = "a positive integer" if smallest == 1 else f"an integer >= {smallest}"
            if largest is not None:
                bound = f"an integer from {smallest} to {largest}"
            self.problem(path, f"{shown(value)} is not {bound}")
            return False
        return True

    def shape(self, value, path: str, length: int | None = None) -> bool:
        """A non-empty list of positive integers (of `length` items when given)."""
        if not isinstance(value, list) or not value:
            self.problem(path, f"{shown(value)} is not a list of positive integers")
            return False
        for index, item in enumerate(value):
            if not self.integer(item, f"{path}[{index}]"):
                return False
        if length is not None and len(value) != length:
            self.problem(path, f"{shown(value)} has {len(value)} dimension"
                               f"{'' if len(value) == 1 else 's'}, not {length}")
            return False
        return True

    def text(self, value, path: str) -> bool:
        if not isinstance(value, str) or not value:
            self.problem(path, f"{shown(value)} is not a non-empty text")
            return False
        return True

    def choice(self, value, path: str, values, what: str) -> bool:
        if not isinstance(value, str) or value not in values:
            self.problem(path, f"{shown(value)} is not {what} (known: {known(values)})")
            return False
        return True

    def positive_number(self, value, path: str) -> bool:
        if not _is_number(value) or not value > 0 or value != value or value == float("inf"):
            self.problem(path, f"{shown(value)} is not a positive number")
            return False
        return True

    def initializer_name(self, value, path: str) -> bool:
        """One of the probe's initializer names (schema.INITIALIZER_NAMES)."""
        return self.choice(value, path, schema.INITIALIZER_NAMES, "an initializer name")


def type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a text", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def shown(value) -> str:
    text = repr(value) if isinstance(value, str) else json_like(value)
    return text if len(text) <= 60 else text[:57] + "..."


def json_like(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(json_like(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {json_like(item)}" for key, item in value.items()) + "}"
    return repr(value)


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


