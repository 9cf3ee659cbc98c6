"""Schema drift found by comparing catalogs, not only by the cursor: a column narrowed with a rewrite, a renamed
column, a renamed or changed primary key, enums and domains, a table dropped and recreated."""

from __future__ import annotations

from decimal import Decimal

from revops_assets.raw.sync import sync_table
from revops_assets_tests.faults.ledger import query
from revops_assets_tests.faults.scenario import LEAD_COLUMNS, entry, lead_table, materialize, settle


def test_a_column_narrowed_by_a_rewrite_is_reloaded(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    query(admin, "alter table lead add column code text; update lead set code = lpad((id % 97)::text, 4, '0') || ' '")
    sync_table(entry(), source, warehouse, run_id="text")
    # text -> integer with USING: every value rewritten, no write_date moved, raw's text already holds integers
    query(admin, "alter table lead alter column code type integer using trim(code)::integer")
    after = sync_table(entry(), source, warehouse, run_id="narrowed")
    assert after.mode == "full" and any("code retyped in source text -> integer" in c for c in after.schema_changes)
    assert query(wh_dsn, "select count(*) from raw.faults_lead where code like '%% '") == [(0,)]
    settle("column narrowed text -> integer by a rewrite", admin, wh_dsn,
           [("public.lead", "faults_lead", ["id"], [*LEAD_COLUMNS, "code"])])


def test_a_renamed_column_is_reported_and_the_old_one_marked_stale(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    result = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})
    assert result.success
    query(admin, "alter table lead rename column note to remark")
    renamed = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})
    assert renamed.success
    meta = renamed.asset_materializations_for_node("raw__faults_lead")[0].metadata
    assert "column note renamed to remark in source (note kept, marked stale)" in meta["schema_changes"].value
    assert meta["stale_columns"].value["note"].startswith("stale since") and "renamed to remark" in \
        meta["stale_columns"].value["note"]
    checks = {e.check_name: e.passed for e in renamed.get_asset_check_evaluations()}
    assert checks["source_columns_unchanged"] is False and checks["row_count_matches_source"] is True
    comment = query(wh_dsn, "select col_description('raw.faults_lead'::regclass, attnum) from pg_attribute "
                            "where attrelid = 'raw.faults_lead'::regclass and attname = 'note'")[0][0]
    assert comment.startswith("stale since") and "renamed to remark" in comment
    # later changes flow into the new column; the stale one keeps its last values and its mark, without warning
    query(admin, "update lead set remark = 'edited', write_date = timestamp '2027-03-01' where id = 7")
    later = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})
    assert later.asset_materializations_for_node("raw__faults_lead")[0].metadata["mode"].value == "incremental"
    assert {e.check_name: e.passed for e in later.get_asset_check_evaluations()}["source_columns_unchanged"]
    assert query(wh_dsn, "select remark, note = md5('7') || md5('7') from raw.faults_lead where id = 7") == \
        [("edited", True)]
    settle("column renamed", admin, wh_dsn,
           [("public.lead", "faults_lead", ["id"], ["id", "name", "amount", "remark", "write_date"])])


def test_a_renamed_primary_key_rebuilds_raw_and_keeps_deletion_history(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    sync_table(entry(), source, warehouse, run_id="one")
    query(admin, "delete from lead where id = 5")
    sync_table(entry(), source, warehouse, run_id="two")
    query(admin, "alter table lead rename column id to lead_id")
    rebuilt = sync_table(entry(), source, warehouse, run_id="renamed")  # the catalog still says id
    assert rebuilt.mode == "full" and rebuilt.raw_live_rows == rebuilt.source_rows == 1999
    assert query(wh_dsn, "select lead_id, id, _sync_deleted_at is not null from raw.faults_lead "
                         "where _sync_deleted_at is not null") == [(5, 5, True)]
    key = query(wh_dsn, "select array_agg(a.attname::text) from pg_index i join pg_attribute a on a.attrelid = "
                        "i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 'raw.faults_lead'::regclass "
                        "and i.indisprimary")
    assert key == [(["lead_id"],)]
    query(admin, "update lead set name = 'after', write_date = timestamp '2027-04-01' where lead_id = 9")
    again = sync_table(entry(), source, warehouse, run_id="after")  # not stuck: later syncs are incremental
    assert again.mode == "incremental" and again.rows_updated == 1
    settle("primary-key column renamed", admin, wh_dsn,
           [("public.lead", "faults_lead", ["lead_id"], ["lead_id", "name", "amount", "note", "write_date"])])


def test_a_key_raw_never_had_keeps_the_old_table_whole(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    sync_table(entry(), source, warehouse, run_id="by-id")
    query(admin, "delete from lead where id = 3")
    sync_table(entry(), source, warehouse, run_id="deleted")
    query(admin, "alter table lead add column uid text; update lead set uid = 'U' || id; "
                 "alter table lead add constraint lead_uid unique (uid)")
    by_uid = sync_table(entry(pk=("uid",)), source, warehouse, run_id="by-uid")  # the catalog's key changed
    assert by_uid.mode == "full" and any("kept as raw.faults_lead__before_" in c for c in by_uid.schema_changes)
    [(archive,)] = query(wh_dsn, "select tablename from pg_tables where tablename like 'faults_lead__before_%%'")
    assert query(wh_dsn, f"select count(*), count(*) filter (where _sync_deleted_at is not null) from raw.{archive}") \
        == [(2000, 1)]
    settle("primary key changed in the catalog", admin, wh_dsn,
           [("public.lead", "faults_lead", ["uid"], [*LEAD_COLUMNS, "uid"])])


def test_enums_domains_and_composite_types_are_mirrored_as_text_or_their_base(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    query(admin, """
        create type x_mood as enum ('happy', 'sad');
        create domain positive_amount as numeric(12,2) check (value > 0);
        create type money_pair as (amount numeric, currency text);
        alter table lead add column mood x_mood default 'happy', add column moods x_mood[] default '{happy,sad}',
                         add column price positive_amount default 9.5, add column pair money_pair default row(1, 'EUR');
    """)
    result = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})
    assert result.success
    meta = result.asset_materializations_for_node("raw__faults_lead")[0].metadata
    assert meta["type_mappings"].value == {"mood": "x_mood -> text", "moods": "x_mood[] -> text[]",
                                           "price": "positive_amount -> numeric(12,2)", "pair": "money_pair -> text"}
    query(admin, "update lead set mood = 'sad', write_date = timestamp '2027-05-01' where id = 11")
    assert sync_table(entry(), source, warehouse, run_id="enum-delta").rows_updated == 1
    assert query(wh_dsn, "select mood, moods, price, pair from raw.faults_lead where id = 11") == \
        [("sad", ["happy", "sad"], Decimal("9.50"), "(1,EUR)")]
    settle("enum, domain and composite columns", admin, wh_dsn,
           [("public.lead", "faults_lead", ["id"], [*LEAD_COLUMNS, "mood", "price"])])


def test_a_table_dropped_and_recreated_is_reloaded_without_false_renames(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    sync_table(entry(), source, warehouse, run_id="old")
    query(admin, "drop table lead")
    query(admin, "create table lead (id bigint primary key, write_date timestamp not null, name text not null, "
                 "amount numeric(14,2), note text)")
    query(admin, "insert into lead select g, timestamp '2026-06-01' + g * interval '1 minute', 'new ' || g, g, 'n' "
                 "from generate_series(1, 1500) g")
    again = sync_table(entry(), source, warehouse, run_id="recreated")
    assert again.mode == "full" and "source table was dropped and recreated" in again.schema_changes
    assert not any("renamed" in c for c in again.schema_changes)
    assert again.rows_deleted == 500
    settle("table dropped and recreated", admin, wh_dsn, [("public.lead", "faults_lead", ["id"], LEAD_COLUMNS)])
