-- rules.ace_update_proposals, built as rules._next_ace_update_proposals and swapped in by the caller.
drop table if exists rules._next_ace_update_proposals;
create table rules._next_ace_update_proposals (
    ace_opportunity_id  text not null,
    odoo_opportunity_id integer not null,
    match_status        text not null,
    customer_name       text,
    title               text,
    change_kinds        text[] not null,
    reason              text not null,
    changes             jsonb not null,
    payload             jsonb not null,
    usd_at_stake        numeric(18, 2),
    proposed_at         timestamptz not null
)
