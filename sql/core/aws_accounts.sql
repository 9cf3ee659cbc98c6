-- core.aws_accounts: Odoo's AWS accounts with company, payer and every ACE / Odoo opportunity naming them.
-- Account ids are validated (12 digits once spaces/hyphens are removed); invalid ones are kept and flagged.
create table core._next_aws_accounts as
with accounts as (
    select a.*, regexp_replace(coalesce(a.name, ''), '[\s-]', '', 'g') as digits
    from raw.odoo_c_aws_accounts a
    where a._sync_deleted_at is null
)
select a.id                                              as odoo_account_id,
       case when a.digits ~ '^\d{12}$' then a.digits end as aws_account_id,
       a.name                                            as aws_account_id_raw,
       a.digits ~ '^\d{12}$'                             as aws_account_id_valid,
       a.c_aws_account_name                              as account_name,
       a.c_aws_account_alias                             as account_alias,
       a.c_aws_company_id                                as company_partner_id,
       cp.name                                           as company_name,
       a.c_aws_primary_contact_id                        as primary_contact_partner_id,
       pc.name                                           as primary_contact_name,
       coalesce(a.is_payer, false)                       as is_payer,
       a.payer_id                                        as payer_odoo_account_id,
       case when pa.digits ~ '^\d{12}$' then pa.digits end as payer_aws_account_id,
       a.account_status,
       a.root_email,
       coalesce(ace.ids, '{}')                           as ace_opportunity_ids,
       coalesce(odoo.ids, '{}')                          as odoo_opportunity_ids,
       case when a.digits ~ '^\d{12}$' then '{}'::text[]
            else array[format('invalid AWS account id %L', a.name)] end as quality_flags
from accounts a
left join raw.odoo_res_partner cp on cp.id = a.c_aws_company_id and cp._sync_deleted_at is null
left join raw.odoo_res_partner pc on pc.id = a.c_aws_primary_contact_id and pc._sync_deleted_at is null
left join accounts pa on pa.id = a.payer_id
left join lateral (
    select array_agg(o.ace_opportunity_id order by o.ace_opportunity_id) as ids
    from core.ace_opportunities o where o.aws_account_id = a.digits
) ace on true
left join lateral (
    select array_agg(o.odoo_opportunity_id order by o.odoo_opportunity_id) as ids
    from core.odoo_opportunities o where o.aws_ace_id = a.id
) odoo on true;
