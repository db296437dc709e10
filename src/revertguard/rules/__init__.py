"""Detection content as data: Sentinel analytics rules (YAML + KQL) and the watchlists they read.

    from revertguard.rules import load_rules
    for rule in load_rules("all"):
        print(rule.id, rule.name, rule.query_period, rule.watchlists)

See `catalog` for selections (`seed`, `default`, `all`, files, folders), `model` for the `Rule`
fields, and `watchlist` for watchlist definitions.
"""

from revertguard.rules.catalog import (
    BASELINE_DIR,
    CONTENT_DIR,
    DETECTIONS_DIR,
    SELECTIONS,
    find_rule,
    load_rule,
    load_rule_tests,
    load_rules,
    rule_files,
)
from revertguard.rules.model import (
    AlertDetailsOverride,
    AlertPropertyMapping,
    DataConnector,
    EntityMapping,
    FieldMapping,
    Rule,
    watchlist_aliases,
)
from revertguard.rules.problems import Problem, RuleFileError
from revertguard.rules.timespans import TimespanError, iso_duration, parse_timespan

__all__ = [
    "BASELINE_DIR",
    "CONTENT_DIR",
    "DETECTIONS_DIR",
    "SELECTIONS",
    "AlertDetailsOverride",
    "AlertPropertyMapping",
    "DataConnector",
    "EntityMapping",
    "FieldMapping",
    "Problem",
    "Rule",
    "RuleFileError",
    "TimespanError",
    "find_rule",
    "iso_duration",
    "load_rule",
    "load_rule_tests",
    "load_rules",
    "parse_timespan",
    "rule_files",
    "watchlist_aliases",
]
