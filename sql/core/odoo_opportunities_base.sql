-- Odoo opportunities with every id resolved to a name (temp table _base), read from the canonical views
-- src_odoo_* (data/mappings/odoo.yaml; translated names already plain text). Leads (type = 'lead') are not
-- opportunities; rows deleted at the source are not in the views; archived (active = false) ones stay, as lost or
-- archived deals.
create temp table _base on commit drop as
select
    l.id                                             as odoo_opportunity_id,
    l.name                                           as title,
    l.active                                         as is_active,
    l.priority,
    l.probability,
    l.stage_id,
    st.name                                          as stage_name,
    coalesce(st.is_won, false)                       as stage_is_won,
    -- Odoo's own rules: won = stage flagged won; lost = archived with a lost reason
    case when coalesce(st.is_won, false) then 'won'
         when not coalesce(l.active, true) and l.lost_reason_id is not null then 'lost'
         when not coalesce(l.active, true) then 'archived'
         else 'open' end                             as outcome,
    l.lost_reason_id,
    lr.name                                          as lost_reason,
    l.team_id,
    tm.name                                          as team_name,
    l.user_id,
    up.name                                          as salesperson_name,
    u.login                                          as salesperson_login,
    l.partner_id,
    coalesce(cp.name, p.commercial_company_name, nullif(l.partner_name, ''), p.name) as customer_name,
    coalesce(nullif(l.website, ''), cp.website, p.website) as website,
    coalesce(nullif(l.email_from, ''), p.email, cp.email)  as email,
    l.country_id,
    ctry.code                                        as country_code,
    ctry.name                                        as country_name,
    l.state_id,
    cst.name                                         as state_name,
    l.city,
    l.company_id,
    co.name                                          as company_name,
    cur.name                                         as currency_code,
    l.expected_revenue,
    round((l.expected_revenue * r.usd_per_unit)::numeric, 2) as expected_revenue_usd,
    l.recurring_revenue_monthly,
    l.date_deadline,
    l.date_closed,
    l.create_date,
    l.write_date,
    coalesce(tags.names, '{}')                       as tags,
    l.aws_account                                    as aws_ace_id,
    coalesce(acct.account_number, l.aws_account_number) as aws_account_id_raw,
    acct.account_name                                as aws_account_name,
    l.origination,
    l.ace_opportunity_ref                            as ace_opportunity_ref_raw,
    -- typed as 'o1234567', ' O1234567 ', 'ACE-O1234567': the canonical ACE id is O + digits
    upper(substring(l.ace_opportunity_ref from '[Oo][0-9]{1,19}')) as ace_opportunity_ref,
    l.use_case,
    ind.name                                         as industry,
    l.ace_expected_monthly_revenue,
    l.ace_target_close_date,
    l.ace_stage,
    l.description                                    as description_html,
    (l.aws_account is not null or l.aws_account_number is not null or l.ace_opportunity_ref is not null
     or l.origination is not null or l.use_case is not null) as is_aws_deal
from src_odoo_lead l
left join src_odoo_stage st          on st.id = l.stage_id
left join src_odoo_lost_reason lr    on lr.id = l.lost_reason_id
left join src_odoo_team tm           on tm.id = l.team_id
left join src_odoo_user u            on u.id = l.user_id
left join src_odoo_partner up        on up.id = u.partner_id
left join src_odoo_partner p         on p.id = l.partner_id
left join src_odoo_partner cp        on cp.id = p.commercial_partner_id
left join src_odoo_industry ind      on ind.id = coalesce(cp.industry_id, p.industry_id)
left join src_odoo_country ctry      on ctry.id = coalesce(l.country_id, cp.country_id, p.country_id)
left join src_odoo_state cst         on cst.id = l.state_id
left join src_odoo_company co        on co.id = l.company_id
left join src_odoo_currency cur      on cur.id = co.currency_id
left join _usd_rates r               on r.currency_id = co.currency_id
left join src_odoo_aws_account acct  on acct.id = l.aws_account
left join lateral (
    select array_agg(t.name order by t.name) as names
    from src_odoo_tag_rel tr join src_odoo_tag t on t.id = tr.tag_id
    where tr.lead_id = l.id
) tags on true
where l.type = 'opportunity';
