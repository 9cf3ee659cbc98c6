-- What the warehouse says now about every matched ACE x Odoo pair, for the evaluation month [%(month)s, %(month_end)s)
-- with the AWS spend of %(prior)s (the month before). A pair belongs to the month when both deals existed before the
-- month ended (pairs_due.sql). Linked AWS accounts: the ACE opportunity's, the Odoo deal's, and the customer's in Odoo (accounts
-- whose company is the deal's partner or carries the deal's customer name); each resolved to the partner's billing
-- (core.aws_accounts) when it is there. Spend = cost of the billed ones in the prior month (core.aws_costs_monthly).
with pairs as (
    {pairs_due}
),
links as (
    select p.ace_opportunity_id, a.aws_account_id, null::integer as odoo_account_id, 'ACE opportunity' as via
    from pairs p join core.ace_opportunities a on a.ace_opportunity_id = p.ace_opportunity_id
    where a.aws_account_id is not null
    union all
    select p.ace_opportunity_id, o.aws_account_id, o.aws_ace_id, 'Odoo deal'
    from pairs p join core.odoo_opportunities o on o.odoo_opportunity_id = p.odoo_opportunity_id
    where o.aws_account_id is not null or o.aws_ace_id is not null
    union all
    select p.ace_opportunity_id, k.aws_account_id, k.odoo_account_id, 'customer in Odoo'
    from pairs p join core.odoo_opportunities o on o.odoo_opportunity_id = p.odoo_opportunity_id
    join core.aws_accounts k on k.company_partner_id = o.partner_id
    union all
    select p.ace_opportunity_id, k.aws_account_id, k.odoo_account_id, 'customer in Odoo'
    from pairs p join core.odoo_opportunities o on o.odoo_opportunity_id = p.odoo_opportunity_id
    join core.aws_accounts k on k.company_name = o.customer_name
),
resolved as (   -- every Odoo account record behind a link (an id may be recorded twice in Odoo: both bill)
    select l.ace_opportunity_id, l.via, coalesce(k.aws_account_id, l.aws_account_id) as aws_account_id,
           k.odoo_account_id
    from links l left join core.aws_accounts k on k.odoo_account_id = l.odoo_account_id
    where l.odoo_account_id is not null
    union
    select l.ace_opportunity_id, l.via, l.aws_account_id, k.odoo_account_id
    from links l left join core.aws_accounts k on k.aws_account_id = l.aws_account_id
    where l.odoo_account_id is null
),
accounts as (
    select r.ace_opportunity_id,
           jsonb_agg(jsonb_build_object('aws_account_id', r.aws_account_id, 'odoo_account_id', r.odoo_account_id,
                                        'via', r.via)
                     order by r.aws_account_id, r.odoo_account_id, r.via) as accounts,
           array_agg(distinct r.odoo_account_id) filter (where r.odoo_account_id is not null) as billed_ids
    from resolved r
    group by r.ace_opportunity_id
),
spend as (
    select a.ace_opportunity_id, sum(c.cost_usd) as spend_usd
    from accounts a
    join core.aws_costs_monthly c on c.month = %(prior)s and c.odoo_account_id = any(a.billed_ids)
    group by a.ace_opportunity_id
)
select p.ace_opportunity_id, p.odoo_opportunity_id, p.match_status, p.match_score,
       d.decided_by as confirmed_by,
       a.origin as ace_origin, o.origination, a.stage as ace_stage, a.status as ace_review_status,
       o.outcome as odoo_outcome, a.target_close_date, a.customer_name, a.title, a.website, a.email, a.country_code,
       a.expected_monthly_spend_usd, a.use_case, a.delivery_model, a.opportunity_type,
       coalesce(x.accounts, '[]'::jsonb) as accounts, coalesce(s.spend_usd, 0) as spend_usd,
       exists (select 1 from core.aws_costs_monthly c where c.month = %(prior)s) as billing_loaded,
       greatest(a.aws_last_modified_date, o.write_date) as last_modified
from pairs p
join core.ace_opportunities a on a.ace_opportunity_id = p.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = p.odoo_opportunity_id
left join accounts x on x.ace_opportunity_id = p.ace_opportunity_id
left join spend s on s.ace_opportunity_id = p.ace_opportunity_id
left join lateral (
    select md.decided_by from ops.match_decisions md
    where md.ace_opportunity_id = p.ace_opportunity_id and md.odoo_opportunity_id = p.odoo_opportunity_id::text
      and md.decision = 'confirmed' and md.superseded_at is null
    order by md.decided_at desc limit 1
) d on true
order by p.ace_opportunity_id
