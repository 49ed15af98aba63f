"""How a layer's declared initializer is found and recorded: the record itself (declared), and,
for a graph variable, the initializer it was observed to be created with. A
variable_creator_scope (TF 1.6+) sees it in the variable's initial_value, a functools.partial of
(or, in TF 1.x, a lambda closing over) the initializer get_variable or Keras resolved
(initializer_of); before TF 1.6 a wrapped _VariableStore._get_single_variable is given it.
Python 3.6-clean.
"""

import functools

from initcompat.probe import catalogue
from initcompat.probe.identity import describe_initializer


def declared(initializer, held_by_layer, resolved_by):
    """A declared-initializer record: describe_initializer's fields, what the layer held (its
    repr) and how the answer was found, with the object itself for fans and draws."""
    described = describe_initializer(initializer)
    described.update(held_by_layer=described["repr"] if held_by_layer is None else held_by_layer,
                     resolved_by=resolved_by, object=initializer)
    return described


def initializer_of(initial_value):
    """The initializer inside a variable's initial_value callable, or None.

    get_variable and Keras pass functools.partial(initializer, shape, dtype=...) from TF 2.x,
    and a lambda closing over `initializer` in TF 1.x.
    """
    if isinstance(initial_value, functools.partial):
        return initial_value.func
    code = getattr(initial_value, "__code__", None)
    closure = getattr(initial_value, "__closure__", None)
    if code is not None and closure:
        for name, cell in zip(code.co_freevars, closure):
            if name == "initializer":
                try:
                    return cell.cell_contents
                except ValueError:  # an empty cell
                    return None
    return None


class _StoreObserver(object):
    """Before TF 1.6 (no variable_creator_scope): wraps _VariableStore._get_single_variable,
    through which every get_variable passes, for the time of the context, and records the
    initializer it was given (or, given None, the one its _get_default_initializer returns,
    which is what that method then uses)."""

    def __init__(self, store_class, created):
        self.store_class = store_class
        self.created = created
        self.original = None

    def __enter__(self):
        original = self.original = self.store_class.__dict__["_get_single_variable"]
        created = self.created

        def observed(store, *arguments, **keywords):
            variable = original(store, *arguments, **keywords)
            initializer = keywords.get("initializer")
            if initializer is None:
                try:
                    initializer = store._get_default_initializer(
                        name=keywords.get("name"), shape=keywords.get("shape"),
                        dtype=keywords["dtype"])[0]
                except Exception:  # another signature: leave it unobserved
                    initializer = None
            name = getattr(variable, "name", None)
            if initializer is not None and isinstance(name, str):
                created[name] = initializer
            return variable

        self.store_class._get_single_variable = observed
        return self

    def __exit__(self, *exc):
        self.store_class._get_single_variable = self.original
        return False


def creation_observer(tf):
    """(context manager, {variable name: initializer}) recording what each variable created
    inside the context was initialized with: a variable_creator_scope (TF 1.6+), else a wrapped
    _VariableStore; (None, {}) where neither can be had."""
    created = {}
    try:
        from tensorflow.python.ops import variable_scope
    except ImportError:
        return None, {}
    scope = getattr(variable_scope, "variable_creator_scope", None)
    if scope is None:
        store = getattr(variable_scope, "_VariableStore", None)
        if store is not None and "_get_single_variable" in store.__dict__:
            return _StoreObserver(store, created), created
        return None, {}

    def observe(next_creator, **kwargs):
        variable = next_creator(**kwargs)
        initializer = initializer_of(kwargs.get("initial_value"))
        name = getattr(variable, "name", None)
        if initializer is not None and isinstance(name, str):
            created[name] = initializer
        return variable

    return scope(observe), created


def observed_initializer(build, spec, role):
    """The initializer the variable of `role` in `build` was observed to be created with."""
    for name, initializer in sorted(build.created.items()):
        if catalogue.weight_role(name, spec["kind"]) == role:
            return initializer
    return None


def observed_declaration(build, spec, role, held):
    """The declared initializer of `role` read off its variable's creation (`held`: what the
    layer or function default held, usually None)."""
    initializer = observed_initializer(build, spec, role)
    return declared(initializer, describe_initializer(held)["repr"],
                    "observed: the variable was created by get_variable/add_weight with it "
                    "(variable_creator_scope saw it in initial_value; before TF 1.6, "
                    "_VariableStore._get_single_variable was given it)")


def same_initializer(first, second):
    """Whether two describe_initializer records name the same class, module and config."""
    return all(first.get(key) == second.get(key) for key in ("class_name", "module", "config"))
