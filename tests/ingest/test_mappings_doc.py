"""The mapping decisions are written down once, cover every column, and the README shows them."""

from pathlib import Path

from revertguard.ingest.mappings import MAPPINGS, render_markdown
from revertguard.tables import TABLES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_column_of_every_table_is_documented_in_order():
    assert set(MAPPINGS) == set(TABLES)
    for table, sources in MAPPINGS.items():
        assert [s.column for s in sources] == TABLES[table].column_names, table


def test_readme_shows_the_current_mapping_tables():
    text = README.read_text()
    assert render_markdown() in text, "run: python3 scripts/update_readme.py"
