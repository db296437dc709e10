"""The names Kusto gives columns nobody named.

Rules (later operators and rules read these names, e.g. `count_`, `set_SourceIpAddress`):

* a column reference keeps its name; `d.a.b[0]` is `d_a_b_0` (`[-1]` gives `_1`);
* a conversion or rounding function passes its first argument's name through
  (`tostring(x)` is `x`, `bin(TimeGenerated, 1h)` is `TimeGenerated`), `strlen(s)` is
  `strlen_s`;
* an aggregate is `prefix_argument`: `count()` is `count_`, `max(x)` is `max_x`,
  `make_set(x)` is `set_x`, `make_list(x)` is `list_x`, and an argument without a name gives
  `max_`; `take_any(x)` is `x`;
* anything else is positional, `Column1`, `Column2`, ...; `print` names them `print_0`, ...;
* a name already used in the same operator gets `1`, `2`, ... appended.
"""

from __future__ import annotations

from collections.abc import Iterable

from revertguard.kql import expressions as ast

# Functions that name their result after their first argument.
NAME_PRESERVING = frozenset({
    "tostring", "toint", "tolong", "todouble", "toreal", "tobool", "toboolean", "todatetime", "totimespan",
    "toguid", "todecimal", "todynamic", "parse_json", "parsejson", "split", "bin", "bin_at", "floor", "ceiling",
    "round", "startofday", "abs", "sqrt", "log", "log10", "log2", "exp", "exp2", "format_datetime",
})

# Aggregates: the prefix of their implicit name.
AGGREGATE_PREFIX = {
    "count": "count", "countif": "countif", "dcount": "dcount", "dcountif": "dcountif", "count_distinct": "dcount",
    "sum": "sum", "sumif": "sumif", "min": "min", "max": "max", "minif": "minif", "maxif": "maxif",
    "avg": "avg", "avgif": "avgif", "make_list": "list", "makelist": "list", "make_list_if": "list",
    "make_set": "set", "makeset": "set", "make_set_if": "set", "any": "any", "take_any": "", "stdev": "stdev",
    "variance": "variance", "percentile": "percentile",
}
_NAMELESS_ARGUMENT = frozenset({"count", "countif"})


def implicit_name(node: ast.Node) -> str | None:
    """The name Kusto gives an unnamed expression, or None for a positional `ColumnN`."""
    if isinstance(node, ast.Name):
        return None if node.name in ("$left", "$right") else node.name
    if isinstance(node, ast.Member | ast.Index):
        return _path_name(node)
    if not isinstance(node, ast.Call):
        return None
    name = node.name
    if name in AGGREGATE_PREFIX:
        return _aggregate_name(name, node)
    if not node.args:
        return None
    if name in NAME_PRESERVING:
        return implicit_name(node.args[0])
    if name == "strlen":
        return f"strlen_{implicit_name(node.args[0]) or ''}"
    return None


def _path_name(node: ast.Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Member | ast.Index):
        if isinstance(node, ast.Member):
            parts.append(node.name)
        elif isinstance(node.index, ast.Literal) and isinstance(node.index.value, int | str) and \
                not isinstance(node.index.value, bool):
            parts.append(str(node.index.value).replace("-", "_"))
        else:
            return None
        node = node.base
    base = implicit_name(node)
    if base:
        parts.append(base)
    return "_".join(reversed(parts)) if parts else None


def _aggregate_name(name: str, call: ast.Call) -> str:
    prefix = AGGREGATE_PREFIX[name]
    if name == "take_any":
        return (implicit_name(call.args[0]) if call.args else None) or "any_"
    if name in _NAMELESS_ARGUMENT or not call.args:
        return f"{prefix}_"
    argument = call.args[0]
    result = f"{prefix}_{implicit_name(argument) or ''}"
    if name == "percentile" and len(call.args) > 1 and isinstance(call.args[1], ast.Literal):
        value = call.args[1].value
        result += f"_{int(value) if float(value).is_integer() else value}"
    return result


class Namer:
    """Assigns one operator's output names left to right, as Kusto does.

    A name is the one written (`x = ...`), the implicit one, or the next `ColumnN`. A name
    already taken in this operator gets the first `name1`, `name2`, ... that is neither taken
    nor `reserved` (written somewhere in the operator): `project abs(x), sqrt(x), x1 = 1` is
    `x, x2, x1`, and `project n + 1, Column1 = 1` is `Column1, Column11` (the generated name
    came first). `ColumnN` never reuses a name in `avoid` (the input columns, for `extend`).
    These are the Kusto emulator's answers as duckdb-kql records them, checked against it.
    """

    def __init__(self, avoid: Iterable[str] = (), reserved: Iterable[str] = ()) -> None:
        self.taken: set[str] = set()
        self.avoid = set(avoid)
        self.reserved = set(reserved)
        self.positional = 0

    def name_for(self, explicit: str | None, node: ast.Node | None) -> str:
        base = explicit or (implicit_name(node) if node is not None else None) or self.next_positional()
        return self.take(base)

    def next_positional(self) -> str:
        while True:
            self.positional += 1
            candidate = f"Column{self.positional}"
            if candidate not in self.avoid:
                return candidate

    def take(self, base: str) -> str:
        name, n = base, 0
        while name in self.taken or (n and name in self.reserved):
            n += 1
            name = f"{base}{n}"
        self.taken.add(name)
        return name

