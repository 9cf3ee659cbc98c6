"""The data dictionary matches the warehouse: every column of every core, search and matching table, as the daemon
built them, has a description, and the dictionary lists no column that does not exist."""

from __future__ import annotations

import pytest

from revops_assets.core.build import core_sql
from revops_assets.dictionary import DictionaryError, layer_dictionary

LAYERS = ("core", "search", "matching")


def test_every_built_column_is_described_and_nothing_else(live_stack):
    # the billing tables are built by the daily cron, not by the first sync: create them as their assets do
    live_stack.query(core_sql("billing_tables.sql"))
    rows = live_stack.query(
        "select table_schema, table_name, array_agg(column_name::text order by ordinal_position) "
        "from information_schema.columns where table_schema = any(%s) and table_name not like '\\_%%' "
        "group by 1, 2", (list(LAYERS),))
    built = {(schema, table): columns for schema, table, columns in rows}
    assert len(built) >= 13
    problems = []
    for (schema, table), columns in sorted(built.items()):
        listed = layer_dictionary(schema).get(table)
        if listed is None:
            problems.append(f"{schema}.{table}: not in data/dictionary/{schema}.yaml")
            continue
        if undocumented := [c for c in columns if c not in listed]:
            problems.append(f"{schema}.{table}: no description for {undocumented}")
        if stale := [c for c in listed if c not in columns]:
            problems.append(f"{schema}.{table}: described but not in the table: {stale}")
        elif list(listed) != columns:
            problems.append(f"{schema}.{table}: listed in another order than the table's")
    documented = {(layer, table) for layer in LAYERS for table in layer_dictionary(layer)}
    problems += [f"{s}.{t}: described but never built" for s, t in sorted(documented - set(built))]
    assert not problems, "\n".join(problems)


def test_an_entry_without_any_description_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "dictionary").mkdir()
    (tmp_path / "dictionary" / "scratch.yaml").write_text("columns: {}\ntables:\n  t:\n    a: described\n    b:\n")
    monkeypatch.setattr("revops_assets.dictionary.data_dir", lambda: tmp_path)
    layer_dictionary.cache_clear()
    try:
        with pytest.raises(DictionaryError, match=r"tables\.t\.b has no description"):
            layer_dictionary("scratch")
    finally:
        layer_dictionary.cache_clear()
