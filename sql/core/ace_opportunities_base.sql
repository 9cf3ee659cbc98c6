-- ACE opportunities with the owner resolved and spend converted to USD (temp table _base). Rows deleted from the
-- APN database or flagged is_deleted by the sync service are not opportunities any more.
create temp table _base on commit drop as
select
    o.id                                   as ace_opportunity_id,
    o.name                                 as customer_name,
    o.partner_project_title                as title,
    o.project_description_business_need    as description,
    o.customer_website                     as website,
    o.customer_email                       as email,
    o.stage_name                           as stage_raw,
    o.status                               as status_raw,
    o.opportunity_ownership                as origin_raw,
    o.industry                             as industry_raw,
    o.delivery_model                       as delivery_model_raw,
    o.use_case,
    o.opportunity_type,
    o.project_budget                       as expected_monthly_spend,
    upper(nullif(trim(o.currency_code), '')) as currency_code,
    o.expected_spend_frequency,
    round((o.project_budget * r.usd_per_unit)::numeric, 2) as expected_monthly_spend_usd,
    o.close_date                           as target_close_date,
    o.aws_create_date,
    o.aws_last_modified_date,
    o.aws_account                          as aws_account_id_raw,
    nullif(trim(o.partner_crm_unique_identifier), '') as partner_crm_id_raw,
    -- people type the Odoo id as '123', ' 123', '#123', 'ODOO-123': the trailing number is the id
    substring(o.partner_crm_unique_identifier from '(\d+)\s*$') as partner_crm_id,
    o.owner_id,
    coalesce(u.name, o.opportunity_owner_name) as owner_name,
    coalesce(u.email, o.opportunity_owner_email) as owner_email,
    o.country                              as country_raw,
    o.city,
    o.aws_stage,
    o.aws_status,
    o.partner_acceptance_status,
    o.closed_lost_reason,
    o.next_step
from raw.apn_opportunity o
left join lateral (
    select us.name, us.email from raw.apn_users us
    where us.id = o.owner_id and us._sync_deleted_at is null
    order by us.aws_last_modified_date desc nulls last limit 1
) u on true
left join _usd_rates r on r.currency_code = upper(nullif(trim(o.currency_code), ''))
where o._sync_deleted_at is null and not coalesce(o.is_deleted, false);
