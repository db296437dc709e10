"""Finding and loading rules: the shipped content, named selections, and user files.

A selection is a list of items, each a name or a path:

- `seed`: the baseline, the seed rule kept verbatim (`content/baseline/`);
- `default`: the improved rules (`content/detections/`), what revertguard recommends running;
- `all`: both;
- a file: that rule; a folder: every `*.yaml` / `*.yml` rule under it, recursively.

Test files (`<stem>.tests.yaml` beside a rule) are never rules; a rule's own test file is found
by name. Names win over paths, so a file called `seed` is given as `./seed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from revertguard.errors import UsageError
from revertguard.rules.model import Rule, rule_from_data
from revertguard.rules.problems import RuleFileError
from revertguard.rules.schema import check_shape
from revertguard.rules.yamldoc import read_yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"
BASELINE_DIR = CONTENT_DIR / "baseline"
DETECTIONS_DIR = CONTENT_DIR / "detections"
SELECTIONS = ("seed", "default", "all")
TESTS_SUFFIX = ".tests.yaml"
_RULE_SUFFIXES = (".yaml", ".yml")


def is_test_file(path: Path) -> bool:
    """Whether a file is a rule's test cases (`<stem>.tests.yaml` / `.tests.yml`)."""
    return path.name.endswith((".tests.yaml", ".tests.yml"))


def tests_path_for(rule_path: Path) -> Path | None:
    """The test-cases file beside a rule file, if it exists."""
    stem = rule_path.name.rsplit(".", 1)[0]
    for suffix in (".tests.yaml", ".tests.yml"):
        candidate = rule_path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def rule_files(selection: str | Path | Iterable[str | Path] = "default") -> list[Path]:
    """The rule files a selection names, in order, without repeats."""
    items = [selection] if isinstance(selection, str | Path) else list(selection)
    if not items:
        raise UsageError("no rules selected: name seed, default, all, or rule files and folders")
    found: dict[Path, None] = {}
    for item in items:
        for path in _expand(item):
            found.setdefault(path.resolve(), None)
    return list(found)


def _expand(item: str | Path) -> list[Path]:
    if isinstance(item, str) and item in SELECTIONS:
        folders = {"seed": [BASELINE_DIR], "default": [DETECTIONS_DIR], "all": [BASELINE_DIR, DETECTIONS_DIR]}[item]
        return [p for folder in folders for p in _rules_under(folder)]
    path = Path(item)
    if path.is_dir():
        return _rules_under(path)
    if path.is_file():
        if is_test_file(path):
            raise UsageError(f"{path} holds test cases, not a rule (give the rule file beside it)")
        return [path]
    raise UsageError(f"no rule file or folder {str(item)!r} (selections are {', '.join(SELECTIONS)})")


def _rules_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.suffix in _RULE_SUFFIXES and not is_test_file(p)),
                  key=lambda p: p.relative_to(folder).as_posix())


def load_rule(path: str | Path) -> Rule:
    """Load one rule file. A malformed file raises `RuleFileError` listing file, line and problem."""
    path = Path(path)
    doc = read_yaml(path)
    errors = [p for p in check_shape(doc) if p.level == "error"]
    if errors:
        raise RuleFileError(errors)
    resolved = path.resolve()
    return rule_from_data(doc.data, path=path, text=doc.text, baseline=resolved.is_relative_to(BASELINE_DIR),
                          tests_path=tests_path_for(path))


def load_rules(selection: str | Path | Iterable[str | Path] = "default") -> list[Rule]:
    """Load every rule a selection names; problems in several files are reported together."""
    rules, problems = [], []
    for path in rule_files(selection):
        try:
            rules.append(load_rule(path))
        except RuleFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RuleFileError(problems)
    return rules


def find_rule(key: str, rules: Sequence[Rule]) -> Rule:
    """The rule whose id, name or file stem is `key` (case-insensitive)."""
    wanted = key.strip().lower()
    for attribute in ("id", "name", "stem"):
        matches = [r for r in rules if getattr(r, attribute).lower() == wanted]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UsageError(f"{len(matches)} rules have the {attribute} {key!r}: "
                             + ", ".join(str(r.path) for r in matches))
    raise UsageError(f"no rule with the id, name or file name {key!r} (revertguard rules list shows them)")


def load_rule_tests(rule: Rule) -> Any:
    """The parsed test-cases file of a rule (plain data), or None when the rule has none.

    The schema of its content belongs to the detection runner; this only reads the YAML, with the
    same file-and-line errors as rule files.
    """
    if rule.tests_path is None:
        return None
    doc = read_yaml(rule.tests_path)
    if doc.duplicates:
        key, _ = doc.duplicates[0]
        raise RuleFileError([doc.problem(key, "defined more than once")])
    return doc.data
