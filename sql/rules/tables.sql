-- The rules layer's long-lived tables (idempotent). rules.eligibility_inputs keeps the facts each month was evaluated
-- on: a capture is superseded (never deleted) while its month is open, and frozen once the month has ended, so a past
-- month re-evaluated later reads the same facts and gets the same verdicts.
create table if not exists rules.eligibility_inputs (
    id                  bigserial primary key,
    month               date not null,
    ace_opportunity_id  text not null,
    odoo_opportunity_id integer,
    facts               jsonb not null,
    input_hash          text not null,
    state_as_of         text not null check (state_as_of in ('in_month', 'unchanged_since_month', 'after_month')),
    captured_at         timestamptz not null default now(),
    superseded_at       timestamptz
);
create unique index if not exists eligibility_inputs_live
    on rules.eligibility_inputs (month, ace_opportunity_id) where superseded_at is null;
