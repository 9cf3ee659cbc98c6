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

-- AWS account numbers as typed ("1234-5678-9012", full-width digits, "123456789012.0" from a spreadsheet):
-- separators (spaces, hyphens and dashes) and a float's ".0" tail removed, NFKC-normalized. Mirrors
-- core.normalize.identifiers.normalize_aws_account_id, the reference.
create or replace function core.aws_account_digits(value text) returns text
language sql immutable parallel safe as $$
    select regexp_replace(regexp_replace(normalize(value, NFKC), '[\s\-\u2010-\u2015\u2212]+', '', 'g'), '\.0+$', '')
$$;
-- The 12-digit AWS account id in `value`, or null when it is not one.
create or replace function core.aws_account_id(value text) returns text
language sql immutable parallel safe as $$
    select d from (select core.aws_account_digits(value) as d) x where d ~ '^[0-9]{12}$'
$$;
