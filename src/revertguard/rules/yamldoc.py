"""YAML in and out for rule and watchlist files.

Reading keeps the line of every key, so a problem can be reported as `file:line`, and reports
duplicate keys (PyYAML silently keeps the last one; Sentinel's YAML reader rejects them). Only
plain data is built (SafeLoader), whatever the file says. Writing uses PyYAML's safe dumper with
the Azure-Sentinel repository's layout: multi-line text as literal blocks, sequences indented
under their key, keys in the order given, no line folding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from revertguard.rules.problems import Problem, RuleFileError, field_path

Key = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed YAML file: its data, its text, and the line of every key and list item."""

    path: Path
    text: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    duplicates: list[tuple[Key, int]] = field(default_factory=list)
    aliases: list[Key] = field(default_factory=list)

    def line_of(self, keys: Key) -> int | None:
        """The line of `keys`, or of its nearest parent that has one."""
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return 1 if self.text else None

    def problem(self, keys: Key, message: str, level: str = "error") -> Problem:
        return Problem(self.path, field_path(keys), message, self.line_of(keys), level)  # type: ignore[arg-type]


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse one YAML file; any failure is a `RuleFileError` naming the file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleFileError([Problem(path, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleFileError([Problem(path, "", f"not UTF-8 text (byte {exc.start})")]) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (one document) into plain data with key lines."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        raise RuleFileError([Problem(path, "", f"invalid YAML{column}: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise RuleFileError([Problem(path, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(path, text, data)
    if node is not None:
        _index(node, (), doc, set())
    if doc.aliases:
        # A list or mapping reused through an alias (*name) can nest into exponentially large
        # data; Sentinel rule files never need one.
        raise RuleFileError([doc.problem(keys, "YAML aliases (*name) of lists or mappings are not supported; "
                                         "write the value out") for keys in doc.aliases])
    return doc


def _index(node: yaml.Node, keys: Key, doc: YamlDocument, seen: set[int]) -> None:
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen:
            doc.aliases.append(keys)
            return
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = (*keys, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append((path, line))
            seen.add(key)
            doc.lines.setdefault(path, line)
            _index(value_node, path, doc, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*keys, index)
            doc.lines.setdefault(path, item.start_mark.line + 1)
            _index(item, path, doc, seen)


class _SentinelDumper(yaml.SafeDumper):
    """Safe dumper laid out like the Azure-Sentinel repository's rule files."""

    def ignore_aliases(self, data: Any) -> bool:
        # Write repeated values out in full: the reader refuses aliases, and so do reviewers.
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key (`key:\n  - item`), as the repository's files do.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_SentinelDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Serialise plain data as YAML text (keys in insertion order, text never folded)."""
    return yaml.dump(data, Dumper=_SentinelDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1_000_000, indent=2)
