-- Small SQL helpers for set-based core builds (the Python normalizers stay the reference; these mirror the
-- trivial ones so joins need not leave the database).

-- Odoo 16+ translated fields are jsonb like {"en_US": "Won", "fr_FR": "Gagné"}: en_US, else any non-empty value.
create or replace function core.translated(value jsonb, lang text default 'en_US') returns text
language sql immutable parallel safe as $$
    select case jsonb_typeof(value)
        when 'object' then coalesce(nullif(value ->> lang, ''), nullif(value ->> 'en_US', ''),
                                    (select v from jsonb_each_text(value) as e(k, v) where v <> '' order by k limit 1))
        when 'string' then value #>> '{}'
        else null end
$$;
