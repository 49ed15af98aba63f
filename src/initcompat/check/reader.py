"""Read a user's Python file with `ast`, never importing it: which calls build weights with a
default initializer, construct an initializer, seed a random stream, or set
TF_USE_LEGACY_KERAS. Pure: source text in, calls out.

Names are resolved through the file's imports and simple assignments, anywhere in the file
(`import tensorflow as tf`, `import tensorflow.compat.v1 as tf`, `from tensorflow.keras import
layers`, `from keras.layers import Dense`, `import tf_keras as keras`, `layers = tf.keras.layers`,
star imports), to a dotted path spelled as the data spells families: `tf.compat.v1.layers.dense`,
`tf.keras.layers.Dense`, `keras.initializers.RandomNormal`. What cannot be resolved (a call
through an object, a name defined elsewhere) is not read: the checker only says what it knows.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Module roots the checker knows, as the data spells them.
ROOTS = {"tensorflow": "tf", "keras": "keras", "tf_keras": "tf_keras", "numpy": "np",
         "random": "random", "os": "os"}
LITERAL_MISSING = object()


@dataclass(frozen=True)
class Call:
    """One call the checker may have something to say about."""

    line: int
    col: int  # 1-based, in characters
    path: str  # the resolved dotted path of the callee: "tf.layers.dense"
    spelled: str  # the callee as the file writes it: "tf.layers.dense", "Dense"
    keywords: tuple  # names of the keyword arguments passed
    literals: dict = field(default_factory=dict)  # keyword -> literal value, where literal
    star_kwargs: bool = False  # a **mapping was passed: its keywords are unknown
    positional: tuple = ()  # literal positional arguments (LITERAL_MISSING where not literal)
    scoped: bool = False  # inside `with ...variable_scope(..., initializer=...)`
    strings: dict = field(default_factory=dict)  # keyword -> a string constant passed to it
    inner: str | None = None  # for tf.Variable(op(...)): the op's path
    positions: dict = field(default_factory=dict)  # keyword -> (line, col) of its value


    @property
    def shown(self) -> str:
        """The callee as written, with what it resolves to where that differs:
        'layers.Dense (tf.keras.layers.Dense)'."""
        return self.spelled if self.spelled == self.path else f"{self.spelled} ({self.path})"


@dataclass(frozen=True)
class EnvironmentSetting:
    """os.environ["TF_USE_LEGACY_KERAS"] = value (or os.environ.setdefault / putenv)."""

    line: int
    col: int
    name: str
    value: str | None  # the literal value, None when not a literal


@dataclass(frozen=True)
class Reading:
    calls: list
    settings: list
    imports: dict  # local name -> resolved dotted path


class Unreadable(ValueError):
    """The file is not Python this interpreter can parse."""


def _dotted(node) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def _spelled_module(module: str) -> str | None:
    head, _, rest = module.partition(".")
    root = ROOTS.get(head)
    if root is None:
        return None
    if root == "tf" and rest.startswith("python.keras"):
        rest = "keras" + rest[len("python.keras"):]
    if root == "tf" and rest.startswith("compat.v2"):
        rest = rest[len("compat.v2"):].lstrip(".")
    return root + ("." + rest if rest else "")


class _Names:
    """Local names -> dotted paths, from imports and assignments (two passes, so an alias made
    from an alias resolves)."""

    def __init__(self, tree: ast.AST):
        self.names: dict[str, str] = {}
        self.stars: list[str] = []
        nodes = list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    spelled = _spelled_module(alias.name)
                    if spelled is None:
                        continue
                    if alias.asname:
                        self.names[alias.asname] = spelled
                    else:  # `import tensorflow.compat.v1` binds `tensorflow`
                        head = alias.name.split(".")[0]
                        self.names.setdefault(head, _spelled_module(head))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                spelled = _spelled_module(node.module)
                if spelled is None:
                    continue
                for alias in node.names:
                    if alias.name == "*":
                        self.stars.append(spelled)
                    else:
                        self.names[alias.asname or alias.name] = f"{spelled}.{alias.name}"
        for _ in range(2):
            for node in nodes:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                        isinstance(node.targets[0], ast.Name):
                    found = self.resolve(node.value)
                    if found is not None and node.targets[0].id not in self.names:
                        self.names[node.targets[0].id] = found

    def resolve(self, node) -> str | None:
        parts = _dotted(node)
        if not parts:
            return None
        head = self.names.get(parts[0])
        if head is None:
            if not self.stars:
                return None
            head = f"{self.stars[-1]}.{parts[0]}"  # a star import's name (best guess: the last)
        return ".".join([head] + parts[1:])


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return LITERAL_MISSING


def _column(lines: list[str], node) -> int:
    """1-based column in characters (ast gives UTF-8 bytes)."""
    line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    return len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace")) + 1


def _scope_initializers(tree: ast.AST, names: _Names) -> set[int]:
    """ids of the nodes inside `with <...>.variable_scope(..., initializer=...)`."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.With, ast.AsyncWith)):
            continue
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and (names.resolve(call.func) or "").endswith(
                    "variable_scope") and any(k.arg == "initializer" for k in call.keywords):
                for statement in node.body:
                    inside.update(id(child) for child in ast.walk(statement))
    return inside


def _environment_setting(node, names: _Names, lines: list[str]) -> EnvironmentSetting | None:
    """os.environ["TF_USE_LEGACY_KERAS"] = v, os.environ.setdefault(...), os.putenv(...)."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and names.resolve(target.value) == "os.environ":
                key = _literal(target.slice)
                if isinstance(key, str):
                    value = _literal(node.value)
                    return EnvironmentSetting(node.lineno, _column(lines, node), key,
                                              value if isinstance(value, str) else None)
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        path = names.resolve(node.func)
        if path in ("os.environ.setdefault", "os.putenv"):
            key, value = _literal(node.args[0]), _literal(node.args[1])
            if isinstance(key, str):
                return EnvironmentSetting(node.lineno, _column(lines, node), key,
                                          value if isinstance(value, str) else None)
    return None


def _call(node: ast.Call, path: str, source_lines: list[str], scoped: bool,
          names: _Names) -> Call:
    keywords = tuple(k.arg for k in node.keywords if k.arg)
    literals, strings, positions = {}, {}, {}
    for keyword in node.keywords:
        if not keyword.arg:
            continue
        positions[keyword.arg] = (keyword.value.lineno, _column(source_lines, keyword.value))
        value = _literal(keyword.value)
        if value is not LITERAL_MISSING:
            literals[keyword.arg] = value
            if isinstance(value, str):
                strings[keyword.arg] = value
    inner = None
    if node.args and isinstance(node.args[0], ast.Call):
        inner = names.resolve(node.args[0].func)
    spelled = ".".join(_dotted(node.func) or ["?"])
    return Call(line=node.lineno, col=_column(source_lines, node), path=path, spelled=spelled,
                keywords=keywords, literals=literals,
                star_kwargs=any(k.arg is None for k in node.keywords),
                positional=tuple(_literal(a) for a in node.args), scoped=scoped,
                strings=strings, inner=inner, positions=positions)


def read(source: str) -> Reading:
    """Every call with a resolved path among the known roots, and every environment setting.
    Unreadable when the source does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        line = getattr(error, "lineno", None)
        where = f"line {line}: " if line else ""
        raise Unreadable(f"{where}{getattr(error, 'msg', None) or error}") from None
    names = _Names(tree)
    lines = source.splitlines()
    scoped = _scope_initializers(tree, names)
    calls, settings = [], []
    for node in ast.walk(tree):
        setting = _environment_setting(node, names, lines)
        if setting is not None:
            settings.append(setting)
        if isinstance(node, ast.Call):
            path = names.resolve(node.func)
            if path is not None and path.split(".")[0] in ROOTS.values():
                calls.append(_call(node, path, lines, id(node) in scoped, names))
    calls.sort(key=lambda c: (c.line, c.col))
    settings.sort(key=lambda s: (s.line, s.col))
    return Reading(calls=calls, settings=settings, imports=dict(names.names))
