"""Watchlist definitions: the seven shipped ones, user rows from YAML or CSV, and the store."""

from __future__ import annotations

import csv
import io
import re

import pytest

from revertguard.kql import DuckDBEngine
from revertguard.rules import RuleFileError
from revertguard.rules.watchlist import WATCHLISTS_DIR, load_watchlists, shipped_watchlists
from revertguard.store import Store, Watchlist

SHIPPED = {
    "RevertGuardApprovedIdentities": "Identity",
    "RevertGuardChangeTickets": "Ticket",
    "RevertGuardMaintenanceWindows": "Scope",
    "RevertGuardCicdPrincipals": "Identity",
    "RevertGuardChaosRoles": "Identity",
    "RevertGuardLabScopes": "Scope",
    "RevertGuardInstanceInventory": "Resource",
}


def test_seven_definitions_ship_empty_with_documented_columns():
    watchlists = shipped_watchlists()
    assert {alias: w.search_key for alias, w in watchlists.items()} == SHIPPED
    for watchlist in watchlists.values():
        assert watchlist.rows == ()  # shipping an approval would silence real alerts
        assert watchlist.description and watchlist.display_name
        assert all(c.description for c in watchlist.columns)
        assert watchlist.path.parent == WATCHLISTS_DIR and watchlist.path.stem == watchlist.alias


def test_definitions_load_into_the_store_for_getwatchlist():
    watchlist = shipped_watchlists()["RevertGuardLabScopes"].with_rows(
        [{"Scope": "777788889999", "Cloud": "aws", "Name": "lab", "Owner": "", "Description": ""}])
    with Store() as store:
        store.put_watchlist(watchlist.to_store())
        physical, schema = store.watchlists()["RevertGuardLabScopes"]
        assert schema.column_names[-5:] == ["Scope", "Cloud", "Name", "Owner", "Description"]
        row = store.con.execute(f'SELECT SearchKey, Name FROM "{physical}"').fetchone()
    assert row == ("777788889999", "lab")


@pytest.mark.parametrize("other", ["lab_scopes", "LAB-SCOPES"])
def test_aliases_that_differ_only_in_punctuation_or_case_keep_their_own_rows(other):
    with Store() as store:
        store.put_watchlist(Watchlist("lab-scopes", "Scope", ["Scope"], [{"Scope": "first"}]))
        store.put_watchlist(Watchlist(other, "Scope", ["Scope"], [{"Scope": "second"}]))
        engine = DuckDBEngine(store)
        assert engine.run("_GetWatchlist('lab-scopes') | project Scope").rows == [("first",)]
        assert engine.run(f"_GetWatchlist('{other}') | project Scope").rows == [("second",)]


def test_a_watchlist_given_to_the_engine_is_read_by_its_queries_and_not_stored():
    with Store() as store:
        engine = DuckDBEngine(store)
        engine.catalog().put_watchlist(Watchlist("given", "Scope", ["Scope"], [{"Scope": "x"}]))
        store.put_watchlist(Watchlist("stored", "Scope", ["Scope"], [{"Scope": "y"}]))  # after the engine
        assert engine.run("_GetWatchlist('given') | project Scope").rows == [("x",)]
        assert engine.run("_GetWatchlist('stored') | project Scope").rows == [("y",)]
        assert list(store.watchlists()) == ["stored"]

def test_user_csv_fills_a_known_definition(tmp_path):
    path = tmp_path / "RevertGuardCicdPrincipals.csv"
    path.write_text("Identity,Cloud,Scope,Pipeline,Description\r\n"
                    'arn:aws:iam::444455556666:role/ci,aws,444455556666,"org/app, deploy","says ""hi""\nthere"\r\n',
                    encoding="utf-8")
    watchlist = load_watchlists([path])["RevertGuardCicdPrincipals"]
    assert watchlist.rows == ({"Identity": "arn:aws:iam::444455556666:role/ci", "Cloud": "aws",
                               "Scope": "444455556666", "Pipeline": "org/app, deploy",
                               "Description": 'says "hi"\nthere'},)
    # CSV out reads back to the same rows, commas, quotes and newlines included.
    assert list(csv.DictReader(io.StringIO(watchlist.csv_text(), newline=""))) == list(watchlist.rows)


def test_csv_needs_a_known_alias_and_its_columns(tmp_path):
    unknown = tmp_path / "Nope.csv"
    unknown.write_text("A\nb\n")
    with pytest.raises(RuleFileError, match="no watchlist definition with the alias 'Nope'"):
        load_watchlists([unknown])
    wrong = tmp_path / "RevertGuardLabScopes.csv"
    wrong.write_text("Scope,Extra\n1,2\n")
    with pytest.raises(RuleFileError, match=re.escape("missing ['Cloud', 'Name', 'Owner', 'Description']; "
                                                      "unknown ['Extra']")):
        load_watchlists([wrong])
    empty_key = tmp_path / "sub" / "RevertGuardLabScopes.csv"
    empty_key.parent.mkdir()
    empty_key.write_text("Scope,Cloud,Name,Owner,Description\n,aws,x,,\n")
    with pytest.raises(RuleFileError, match=r"RevertGuardLabScopes.csv:2: error: the search key column 'Scope'"):
        load_watchlists([empty_key.parent])


def test_yaml_definition_rows_must_be_quoted_text(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text((WATCHLISTS_DIR / "RevertGuardLabScopes.yaml").read_text().replace(
        "rows: []", "rows:\n  - Scope: 0123456\n    Cloud: aws\n    Color: red\n"))
    with pytest.raises(RuleFileError) as info:
        load_watchlists([path])
    text = str(info.value)
    assert "rows[0].Scope: must be quoted text" in text
    assert "rows[0].Color: not one of the columns" in text
    assert f"{path}:" in text


def test_a_new_definition_is_just_a_file(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("alias: InstanceStoreTypes\nsearchKey: InstanceType\ncolumns:\n"
                    "  - name: InstanceType\n    description: EC2 type with instance store\n"
                    "rows:\n  - InstanceType: m5d.large\n")
    watchlists = load_watchlists([path])
    assert set(SHIPPED) < set(watchlists)
    assert watchlists["InstanceStoreTypes"].rows == ({"InstanceType": "m5d.large"},)


@pytest.mark.parametrize(("change", "message"), [
    ("alias: InstanceStoreTypes", "alias: 'bad alias!' is not a valid alias"),
    ("searchKey: InstanceType", "searchKey: 'Other' is not one of the columns"),
    ("  - name: InstanceType", "columns[0].name: 'SearchKey' is a column Sentinel adds itself"),
])
def test_definition_errors(tmp_path, change, message):
    text = ("alias: InstanceStoreTypes\nsearchKey: InstanceType\ncolumns:\n  - name: InstanceType\n")
    replacement = {"alias: InstanceStoreTypes": "alias: 'bad alias!'", "searchKey: InstanceType": "searchKey: Other",
                   "  - name: InstanceType": "  - name: SearchKey"}[change]
    path = tmp_path / "w.yaml"
    path.write_text(text.replace(change, replacement))
    with pytest.raises(RuleFileError, match=re.escape(message)):
        load_watchlists([path])
