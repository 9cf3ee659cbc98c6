-- Odoo opportunities with every id resolved to a name (temp table _base). Leads (type = 'lead') are not
-- opportunities; deleted raw rows are excluded; archived (active = false) ones stay, as lost or archived deals.
create temp table _base on commit drop as
select
    l.id                                             as odoo_opportunity_id,
    l.name                                           as title,
    l.active                                         as is_active,
    l.priority,
    l.probability,
    l.stage_id,
    core.translated(st.name)                         as stage_name,
    coalesce(st.is_won, false)                       as stage_is_won,
    -- Odoo's own rules: won = stage flagged won; lost = archived with a lost reason
    case when coalesce(st.is_won, false) then 'won'
         when not coalesce(l.active, true) and l.lost_reason_id is not null then 'lost'
         when not coalesce(l.active, true) then 'archived'
         else 'open' end                             as outcome,
    l.lost_reason_id,
    core.translated(lr.name)                         as lost_reason,
    l.team_id,
    core.translated(tm.name)                         as team_name,
    l.user_id,
    up.name                                          as salesperson_name,
    u.login                                          as salesperson_login,
    l.partner_id,
    coalesce(cp.name, p.commercial_company_name, nullif(l.partner_name, ''), p.name) as customer_name,
    coalesce(nullif(l.website, ''), cp.website, p.website) as website,
    coalesce(nullif(l.email_from, ''), p.email, cp.email)  as email,
    l.country_id,
    ctry.code                                        as country_code,
    core.translated(ctry.name)                       as country_name,
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
    l.aws_ace_id,
    acct.name                                        as aws_account_id_raw,
    acct.c_aws_account_name                          as aws_account_name,
    l.origination,
    l.c_aws_ace_opportunity_id                       as ace_opportunity_ref_raw,
    -- typed as 'o1234567', ' O1234567 ', 'ACE-O1234567': the canonical ACE id is O + digits
    upper(substring(l.c_aws_ace_opportunity_id from '[Oo][0-9]{1,19}')) as ace_opportunity_ref,
    l."c_aws_ace_useCase"                            as use_case,
    core.translated(ind.name)                        as industry,
    l."c_aws_ace_expectedMonthlyAwsRevenue"          as ace_expected_monthly_revenue,
    l."c_aws_ace_targetCloseDate"                    as ace_target_close_date,
    l.c_aws_ace_stage                                as ace_stage,
    l.description                                    as description_html,
    (l.aws_ace_id is not null or l.c_aws_ace_opportunity_id is not null or l.origination is not null
     or l."c_aws_ace_useCase" is not null)           as is_aws_deal
from raw.odoo_crm_lead l
left join raw.odoo_crm_stage st        on st.id = l.stage_id and st._sync_deleted_at is null
left join raw.odoo_crm_lost_reason lr  on lr.id = l.lost_reason_id and lr._sync_deleted_at is null
left join raw.odoo_crm_team tm         on tm.id = l.team_id and tm._sync_deleted_at is null
left join raw.odoo_res_users u         on u.id = l.user_id and u._sync_deleted_at is null
left join raw.odoo_res_partner up      on up.id = u.partner_id and up._sync_deleted_at is null
left join raw.odoo_res_partner p       on p.id = l.partner_id and p._sync_deleted_at is null
left join raw.odoo_res_partner cp      on cp.id = p.commercial_partner_id and cp._sync_deleted_at is null
left join raw.odoo_res_partner_industry ind on ind.id = coalesce(cp.industry_id, p.industry_id) and ind._sync_deleted_at is null
left join raw.odoo_res_country ctry    on ctry.id = coalesce(l.country_id, cp.country_id, p.country_id) and ctry._sync_deleted_at is null
left join raw.odoo_res_country_state cst on cst.id = l.state_id and cst._sync_deleted_at is null
left join raw.odoo_res_company co      on co.id = l.company_id and co._sync_deleted_at is null
left join raw.odoo_res_currency cur    on cur.id = co.currency_id and cur._sync_deleted_at is null
left join _usd_rates r                 on r.currency_id = co.currency_id
left join raw.odoo_c_aws_accounts acct on acct.id = l.aws_ace_id and acct._sync_deleted_at is null
left join lateral (
    select array_agg(core.translated(t.name) order by core.translated(t.name)) as names
    from raw.odoo_crm_tag_rel tr join raw.odoo_crm_tag t on t.id = tr.tag_id and t._sync_deleted_at is null
    where tr.lead_id = l.id and tr._sync_deleted_at is null
) tags on true
where l._sync_deleted_at is null and l.type = 'opportunity';
