"""Rewrite the generated parts of README.md (the ingest mapping tables) from the code."""

from __future__ import annotations

import sys
from pathlib import Path

from revertguard.ingest.mappings import render_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- mappings:start -->", "<!-- mappings:end -->"


def updated(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{render_markdown()}{END}{tail}"


if __name__ == "__main__":
    text = README.read_text()
    new = updated(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else "README.md mapping tables are out of date: run python3 scripts/update_readme.py")
    README.write_text(new)
