-- core.aws_accounts: Odoo's AWS accounts with company, payer and every ACE / Odoo opportunity naming them.
-- Account ids are validated (core.aws_account_id: 12 digits once separators are removed); invalid ones are kept
-- and flagged.
create table core._next_aws_accounts as
with accounts as (
    select a.*, core.aws_account_id(a.account_number) as valid_id
    from src_odoo_aws_account a
)
select a.id                                              as odoo_account_id,
       a.valid_id                                        as aws_account_id,
       a.account_number                                  as aws_account_id_raw,
       a.valid_id is not null                            as aws_account_id_valid,
       a.account_name,
       a.account_alias,
       a.company_partner_id,
       cp.name                                           as company_name,
       a.primary_contact_id                              as primary_contact_partner_id,
       pc.name                                           as primary_contact_name,
       coalesce(a.is_payer, false)                       as is_payer,
       a.payer_id                                        as payer_odoo_account_id,
       pa.valid_id                                       as payer_aws_account_id,
       a.account_status,
       a.root_email,
       coalesce(ace.ids, '{}')                           as ace_opportunity_ids,
       coalesce(odoo.ids, '{}')                          as odoo_opportunity_ids,
       case when a.valid_id is not null then '{}'::text[]
            else array[format('invalid AWS account id %L', a.account_number)] end as quality_flags
from accounts a
left join src_odoo_partner cp on cp.id = a.company_partner_id
left join src_odoo_partner pc on pc.id = a.primary_contact_id
left join accounts pa on pa.id = a.payer_id
left join lateral (
    select array_agg(o.ace_opportunity_id order by o.ace_opportunity_id) as ids
    from core.ace_opportunities o where o.aws_account_id = a.valid_id
) ace on true
left join lateral (
    -- by the many2one, or by the account number where the opportunity stores only that
    select array_agg(o.odoo_opportunity_id order by o.odoo_opportunity_id) as ids
    from core.odoo_opportunities o
    where o.aws_ace_id = a.id or (o.aws_ace_id is null and o.aws_account_id = a.valid_id)
) odoo on true;
