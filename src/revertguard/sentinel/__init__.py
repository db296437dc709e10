"""Microsoft Sentinel side of revertguard: validate rules, export them (YAML, ARM), deploy them.

- `validate.validate_rule_files(paths)` checks rule files against Sentinel's constraints;
- `export.export(rules, out_dir, ...)` writes Sentinel YAML, ARM templates and watchlist CSVs;
- `deploy.plan_deployment(...)` / `deploy.execute(...)` create the rules and watchlists in a
  workspace through the Microsoft.SecurityInsights REST API (`arm.API_VERSION`).
"""

from revertguard.sentinel.arm import API_VERSION

__all__ = ["API_VERSION"]
