-- ACE opportunities with the owner resolved and the expected spend made monthly and converted to USD (temp table
-- _base). Reads the canonical views src_ace / src_ace_user (data/mappings/apn.yaml). Rows deleted from the APN
-- database or flagged is_deleted by the sync service are not opportunities any more.
--
-- Monthly spend, by what the installation stores (spend_basis says which was used):
--   expected_monthly_revenue  ACE's expectedMonthlyAwsRevenue: monthly, USD by ACE's definition;
--   spend_amount              Partner Central ExpectedCustomerSpend.Amount: per spend_frequency (the API allows only
--                             Monthly, so no frequency = monthly), in spend_currency;
--   project_budget            a budget is a total: monthly only when spend_frequency states a period
--                             (Monthly / Quarterly / Annual), otherwise refused and flagged, never read as monthly.
create temp table _base on commit drop as
select
    o.id                                   as ace_opportunity_id,
    o.customer_name,
    o.title,
    o.description,
    o.website,
    o.email,
    o.stage                                as stage_raw,
    o.status                               as status_raw,
    o.origin                               as origin_raw,
    o.industry                             as industry_raw,
    o.delivery_model                       as delivery_model_raw,
    o.use_case,
    o.opportunity_type,
    s.monthly                              as expected_monthly_spend,
    s.currency_code,
    o.spend_frequency                      as expected_spend_frequency,
    s.basis                                as spend_basis,
    round((s.monthly * r.usd_per_unit)::numeric, 2) as expected_monthly_spend_usd,
    o.project_budget,
    o.target_close_date,
    o.created_at                           as aws_create_date,
    o.last_modified_at                     as aws_last_modified_date,
    o.aws_account_id                       as aws_account_id_raw,
    -- as typed: the Odoo id is parsed from it in Python (normalize.parse_odoo_id), another CRM's id is flagged
    nullif(trim(o.partner_crm_id), '')     as partner_crm_id_raw,
    o.owner_id,
    coalesce(u.name, o.owner_name)         as owner_name,
    coalesce(u.email, o.owner_email)       as owner_email,
    o.country                              as country_raw,
    o.city,
    o.aws_stage,
    o.aws_status,
    o.partner_acceptance_status,
    o.closed_lost_reason,
    o.next_step
from src_ace o
cross join lateral (
    select case lower(regexp_replace(coalesce(o.spend_frequency, ''), '[^A-Za-z]', '', 'g'))
               when 'monthly' then 1 when 'month' then 1 when 'permonth' then 1
               when 'quarterly' then 3 when 'quarter' then 3
               when 'annual' then 12 when 'annually' then 12 when 'yearly' then 12 when 'year' then 12
           end as months
) f
cross join lateral (
    select case when o.expected_monthly_revenue is not null then o.expected_monthly_revenue
                when o.spend_amount is not null and o.spend_frequency is null then o.spend_amount
                when o.spend_amount is not null then o.spend_amount / f.months
                when o.project_budget is not null then o.project_budget / f.months
           end as monthly,
           case when o.expected_monthly_revenue is not null then 'USD'
                else upper(nullif(trim(o.spend_currency), '')) end as currency_code,
           case when o.expected_monthly_revenue is not null then 'expected_monthly_revenue'
                when o.spend_amount is not null and (o.spend_frequency is null or f.months is not null) then 'spend_amount'
                when o.spend_amount is not null then 'spend_amount: unknown frequency'
                when o.project_budget is not null and f.months is not null then 'project_budget'
                when o.project_budget is not null and o.spend_frequency is null then 'project_budget: total, not monthly'
                when o.project_budget is not null then 'project_budget: unknown frequency'
           end as basis
) s
left join lateral (
    select us.name, us.email from (
        select coalesce(us.name, nullif(trim(concat_ws(' ', us.first_name, us.last_name)), '')) as name, us.email,
               us.last_modified_at
        from src_ace_user us where us.id = o.owner_id
    ) us
    order by us.last_modified_at desc nulls last limit 1
) u on true
left join _usd_rates r on r.currency_code = s.currency_code
where not coalesce(o.is_deleted, false);
