-- Where this sync's snapshot of the source stands: its xmin (every transaction it cannot see has an id >= this)
-- and xmax as 64-bit ids, and which database this is. pg_control_system() may be withheld from the role: then the
-- database oid alone identifies it.
select pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
       pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
       concat_ws('/',
                 case when has_function_privilege('pg_control_system()', 'execute')
                      then (select system_identifier::text from pg_control_system()) end,
                 (select oid::text from pg_database where datname = current_database()))
