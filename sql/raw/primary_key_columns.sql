-- The columns of a table's primary-key constraint, sorted (null when it has none).
select array_agg(a.attname::text order by a.attname)
from pg_index i
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
where i.indrelid = to_regclass(format('%%I.%%I', %(schema)s::text, %(table)s::text)) and i.indisprimary
