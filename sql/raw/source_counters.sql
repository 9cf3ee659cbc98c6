-- The source table's change counters, read before the sync's snapshot (see raw/changes.py): rows deleted and
-- inserted since the statistics were last reset, when they were reset, the table's file (a TRUNCATE, VACUUM FULL or
-- CLUSTER gives it a new one) and whether the counters can be trusted at all: a plain table without inheritance
-- children (their deletes count on the child), on a primary with track_counts on (a standby counts no replayed
-- deletes). Every function here is executable by any role.
select c.oid::bigint,
       pg_relation_filenode(c.oid)::bigint,
       pg_stat_get_tuples_deleted(c.oid),
       pg_stat_get_tuples_inserted(c.oid),
       pg_stat_get_db_stat_reset_time(d.oid)::text,
       case
           when c.relkind <> 'r' then 'not a plain table (relkind ' || c.relkind::text || ')'
           when c.relhassubclass then 'the table has inheritance children'
           when pg_is_in_recovery() then 'the source is a standby'
           when not current_setting('track_counts')::boolean then 'track_counts is off on the source'
       end
from pg_class c, pg_database d
where c.oid = to_regclass(format('%%I.%%I', %(schema)s::text, %(table)s::text))
  and d.datname = current_database()
