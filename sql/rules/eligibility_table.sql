-- One program's verdicts ({table}): one row per matched ACE opportunity per evaluation month. Each run replaces its
-- months; the previous verdict and input hash of the same row are kept beside the new ones, so a verdict that changed
-- without its inputs (or the rules) changing is visible (check verdict_changes_only_with_inputs).
create table if not exists {table} (
    month                date not null,
    ace_opportunity_id   text not null,
    odoo_opportunity_id  integer,
    customer_name        text,
    title                text,
    match_status         text,
    verdict              text not null check (verdict in ('auto_approve', 'needs_review', 'auto_reject')),
    reasons              text not null,
    rule_outcomes        jsonb not null,
    usd_at_stake         numeric(18, 2),
    prior_month_spend_usd numeric(18, 2),
    days_to_close        integer,
    input_hash           text not null,
    rules_hash           text not null,
    state_as_of          text not null,
    inputs_captured_at   timestamptz not null,
    previous_verdict     text,
    previous_input_hash  text,
    previous_rules_hash  text,
    verdict_since        timestamptz not null,
    evaluated_at         timestamptz not null default now(),
    primary key (month, ace_opportunity_id)
)
