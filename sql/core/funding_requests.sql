-- core.funding_requests: AWS funding requests (MAP, POC credits, MDF ...) as tracked in Odoo and in Partner
-- Central, from the canonical views src_odoo_funding_request / src_ace_funding_request. Either table may be absent
-- in an installation (its view is then empty and the build flags it). Amounts are totals of the request, never
-- monthly; where an installation stores only the cash and credits parts, the total is their sum. USD through the
-- Odoo rates. Requires _usd_rates and _account_ids.
create table core._next_funding_requests as
with odoo as (
    select f.*, coalesce(f.currency_id, (select co.currency_id from src_odoo_company co order by co.id limit 1))
                as amount_currency_id
    from src_odoo_funding_request f
), requests as (
    select 'odoo'::text as source, f.id::text as source_ref, f.name, f.ace_funding_request_id,
           null::text as ace_opportunity_id, f.lead_id as odoo_opportunity_id, p.name as customer_name,
           f.program, f.funding_type, f.state as status,
           coalesce(f.amount_requested, f.amount_requested_cash + f.amount_requested_credits,
                    f.amount_requested_cash, f.amount_requested_credits) as requested_amount,
           f.amount_approved as approved_amount,
           r.currency_code, r.usd_per_unit,
           coalesce(a.aws_account_id, core.aws_account_digits(f.aws_account_number)) as aws_account_raw,
           f.submitted_date, f.approved_date, f.start_date, f.end_date
    from odoo f
    left join _account_ids a on a.id = f.aws_account
    left join src_odoo_partner p on p.id = f.partner_id
    left join _usd_rates r on r.currency_id = f.amount_currency_id
    union all
    select 'ace', f.id, f.name, f.id, f.opportunity_id, null::integer, f.customer_name,
           f.program, f.funding_type, coalesce(f.status, f.stage),
           coalesce(f.requested_amount, f.requested_cash_amount + f.requested_credit_amount,
                    f.requested_cash_amount, f.requested_credit_amount),
           coalesce(f.approved_amount, f.approved_cash_amount + f.approved_credit_amount,
                    f.approved_cash_amount, f.approved_credit_amount),
           upper(nullif(btrim(f.currency), '')), r.usd_per_unit,
           core.aws_account_digits(f.aws_account_id),
           f.submitted_date, f.approved_date, f.start_date, f.end_date
    from src_ace_funding_request f
    left join _usd_rates r on r.currency_code = upper(nullif(btrim(f.currency), ''))
    where not coalesce(f.is_deleted, false)
)
select source, source_ref, name, ace_funding_request_id, ace_opportunity_id, odoo_opportunity_id, customer_name,
       program, funding_type, status, requested_amount, approved_amount, currency_code,
       round(requested_amount * usd_per_unit, 2) as requested_usd,
       round(approved_amount * usd_per_unit, 2)  as approved_usd,
       core.aws_account_id(aws_account_raw) as aws_account_id,
       submitted_date, approved_date, start_date, end_date,
       array_remove(array[
           case when coalesce(aws_account_raw, '') <> '' and core.aws_account_id(aws_account_raw) is null
                then format('invalid AWS account id %L', aws_account_raw) end,
           case when coalesce(requested_amount, approved_amount) is not null and usd_per_unit is null
                then format('no USD rate for currency %L', currency_code) end
       ], null) as quality_flags
from requests;
