-- After a bulk load with explicit ids, move every serial sequence past the largest id, as Odoo expects.
do $$
declare
    col record;
begin
    for col in
        select c.table_name, c.column_name
        from information_schema.columns c
        where c.table_schema = 'public' and c.column_default like 'nextval(%'
    loop
        execute format(
            'select setval(pg_get_serial_sequence(%L, %L), coalesce((select max(%I) from %I), 0) + 1, false)',
            quote_ident(col.table_name), col.column_name, col.column_name, col.table_name
        );
    end loop;
end $$;
