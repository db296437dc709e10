"""Watchlist definitions: the tuning lists rules read with `_GetWatchlist('alias')`.

A definition is a YAML data file (`rules/watchlists/<alias>.yaml` for the shipped ones):

    alias: RevertGuardApprovedIdentities        # what queries pass to _GetWatchlist()
    displayName: ...
    description: ...
    searchKey: Identity                         # the column Sentinel indexes as SearchKey
    columns:
      - name: Identity
        description: what goes in it
        example: arn:aws:iam::111122223333:role/DR-Operator   # documentation only
    rows: []                                    # the items; strings only

Adding a watchlist is adding such a file. Users fill one in with their own rows either as a copy
of the YAML, or as `<alias>.csv` whose header holds the definition's columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from revertguard.rules.problems import Problem, RuleFileError
from revertguard.rules.yamldoc import YamlDocument, read_yaml
from revertguard.store import WATCHLIST_SYSTEM_COLUMNS, Watchlist

WATCHLISTS_DIR = Path(__file__).resolve().parent / "watchlists"
# The same alias rule as the store's `put_watchlist`.
ALIAS_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
# Columns become KQL column names (and ARM item keys): letters, digits and underscores.
COLUMN_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_RESERVED = {c.name for c in WATCHLIST_SYSTEM_COLUMNS}
_KEYS = ("alias", "displayName", "description", "searchKey", "columns", "rows")


@dataclass(frozen=True)
class WatchlistColumn:
    """A watchlist column and what it holds."""

    name: str
    description: str = ""
    example: str = ""


@dataclass(frozen=True)
class WatchlistDefinition:
    """A watchlist: alias, search key, documented columns and rows of strings."""

    alias: str
    display_name: str
    description: str
    search_key: str
    columns: tuple[WatchlistColumn, ...]
    rows: tuple[dict[str, str], ...] = ()
    path: Path | None = field(default=None, compare=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def with_rows(self, rows: Iterable[Mapping[str, str]], path: Path | None = None) -> WatchlistDefinition:
        """The same definition holding other rows (a user's filled-in copy)."""
        return replace(self, rows=tuple(dict(r) for r in rows), path=path or self.path)

    def to_store(self) -> Watchlist:
        """The store's form, for `Store.put_watchlist()` and so `_GetWatchlist()` in local runs."""
        return Watchlist(self.alias, self.search_key, self.column_names, [dict(r) for r in self.rows],
                         self.description)

    def csv_text(self) -> str:
        """The rows as CSV (header first, CRLF line ends), the form Sentinel's watchlist upload takes."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.column_names)
        for row in self.rows:
            writer.writerow([row.get(c, "") for c in self.column_names])
        return out.getvalue()


def shipped_watchlists() -> dict[str, WatchlistDefinition]:
    """The watchlist definitions that ship with revertguard, by alias."""
    return load_watchlists([WATCHLISTS_DIR], base={})


def load_watchlists(paths: Iterable[str | Path],
                    base: Mapping[str, WatchlistDefinition] | None = None) -> dict[str, WatchlistDefinition]:
    """Watchlists from files and folders, over `base` (default: the shipped ones), by alias.

    A YAML file is a full definition; a CSV file `<alias>.csv` fills the rows of a known definition.
    A later file for the same alias replaces an earlier one.
    """
    known = dict(shipped_watchlists() if base is None else base)
    problems: list[Problem] = []
    for item in paths:
        path = Path(item)
        if not path.exists():
            problems.append(Problem(path, "", "no such watchlist file or folder"))
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".csv")) if path.is_dir() else [path]
        for file in files:
            try:
                definition = load_watchlist_file(file, known)
            except RuleFileError as exc:
                problems.extend(exc.problems)
                continue
            known[definition.alias] = definition
    if problems:
        raise RuleFileError(problems)
    return dict(sorted(known.items()))


def load_watchlist_file(path: Path, known: Mapping[str, WatchlistDefinition]) -> WatchlistDefinition:
    """One watchlist file: a YAML definition, or a CSV of rows for the known alias its name gives."""
    if path.suffix == ".csv":
        return _load_csv(path, known)
    doc = read_yaml(path)
    problems = check_definition(doc)
    if problems:
        raise RuleFileError(problems)
    data = doc.data
    return WatchlistDefinition(
        alias=data["alias"], display_name=data.get("displayName") or data["alias"],
        description=data.get("description") or "", search_key=data["searchKey"],
        columns=tuple(WatchlistColumn(c["name"], c.get("description") or "", c.get("example") or "")
                      for c in data["columns"]),
        rows=tuple(dict(r) for r in data.get("rows") or ()), path=path)


def check_definition(doc: YamlDocument) -> list[Problem]:
    """Every problem in a parsed watchlist definition."""
    problems = [doc.problem(key, "defined more than once") for key, _ in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        return [*problems, doc.problem((), "a watchlist file must be a YAML mapping (alias, searchKey, columns, rows)")]
    for key in data:
        if key not in _KEYS:
            problems.append(doc.problem((str(key),), f"unexpected field; expected {', '.join(_KEYS)}"))
    for key in ("alias", "searchKey"):
        if not isinstance(data.get(key), str) or not data[key]:
            problems.append(doc.problem((key,) if key in data else (), f"'{key}' must be given as text"))
    for key in ("displayName", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problems.append(doc.problem((key,), "must be text"))
    alias = data.get("alias")
    if isinstance(alias, str) and not ALIAS_PATTERN.match(alias):
        problems.append(doc.problem(("alias",), f"{alias!r} is not a valid alias: letters, digits, '-' and '_', "
                                    "starting with a letter or digit, at most 64 characters"))
    columns = data.get("columns")
    names: list[str] = []
    if not isinstance(columns, list) or not columns:
        problems.append(doc.problem(("columns",) if "columns" in data else (), "'columns' must be a non-empty list"))
    else:
        for i, column in enumerate(columns):
            where = ("columns", i)
            if not isinstance(column, dict) or not isinstance(column.get("name"), str):
                problems.append(doc.problem(where, "each column needs a 'name' (and a 'description')"))
                continue
            name = column["name"]
            if not COLUMN_PATTERN.match(name):
                problems.append(doc.problem((*where, "name"), f"{name!r} is not a valid column name: letters, "
                                            "digits and '_', starting with a letter or '_'"))
            elif name in _RESERVED:
                problems.append(doc.problem((*where, "name"), f"{name!r} is a column Sentinel adds itself"))
            elif name in names:
                problems.append(doc.problem((*where, "name"), f"column {name!r} is listed twice"))
            for key in ("description", "example"):
                if column.get(key) is not None and not isinstance(column[key], str):
                    problems.append(doc.problem((*where, key), "must be text (quote it)"))
            for key in column:
                if key not in ("name", "description", "example"):
                    problems.append(doc.problem((*where, str(key)), "unexpected field; expected name, description, "
                                                "example"))
            names.append(name)
    if isinstance(data.get("searchKey"), str) and names and data["searchKey"] not in names:
        problems.append(doc.problem(("searchKey",), f"{data['searchKey']!r} is not one of the columns {names}"))
    rows = data.get("rows")
    if rows is not None and not isinstance(rows, list):
        problems.append(doc.problem(("rows",), "'rows' must be a list of mappings (column: value)"))
    elif rows:
        for i, row in enumerate(rows):
            problems.extend(_check_row(doc, ("rows", i), row, names, data.get("searchKey")))
    return problems


def _check_row(doc: YamlDocument, where: tuple, row: Any, names: list[str], search_key: Any) -> list[Problem]:
    if not isinstance(row, dict):
        return [doc.problem(where, "a row must be a mapping of column: value")]
    problems = []
    for key, value in row.items():
        if key not in names:
            problems.append(doc.problem((*where, str(key)), f"not one of the columns {names}"))
        elif not isinstance(value, str):
            # YAML reads 0123 as octal and 1e3 as a number: only quoted text keeps a value exact.
            problems.append(doc.problem((*where, str(key)), f"must be quoted text, not {value!r}"))
    if search_key in names and not row.get(search_key):
        problems.append(doc.problem(where, f"the search key column {search_key!r} is empty"))
    return problems


def _load_csv(path: Path, known: Mapping[str, WatchlistDefinition]) -> WatchlistDefinition:
    alias = path.stem
    definition = known.get(alias)
    if definition is None:
        raise RuleFileError([Problem(path, "", f"no watchlist definition with the alias {alias!r} (the file name); "
                                     "known: " + ", ".join(sorted(known)) + ". Write a YAML definition instead.")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([Problem(path, "", f"cannot read the file as UTF-8 text: {exc}")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in definition.column_names if c not in header]
    extra = [c for c in header if c not in definition.column_names]
    if missing or extra:
        raise RuleFileError([Problem(path, "", f"the header must hold the columns {definition.column_names}"
                                     + (f"; missing {missing}" if missing else "")
                                     + (f"; unknown {extra}" if extra else ""), 1)])
    rows, problems = [], []
    for row in reader:
        if None in row:
            problems.append(Problem(path, "", "more values than header columns", reader.line_num))
            continue
        values = {c: row.get(c) or "" for c in definition.column_names}
        if not values[definition.search_key]:
            problems.append(Problem(path, "", f"the search key column {definition.search_key!r} is empty",
                                    reader.line_num))
        rows.append(values)
    if problems:
        raise RuleFileError(problems)
    return definition.with_rows(rows, path)
