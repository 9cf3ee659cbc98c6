-- Odoo's foreign keys and the indexes Odoo creates on indexed many2one fields of the standard models, added after the
-- bulk load (validating a constraint once is much faster than checking it row by row, and Odoo's references are
-- cyclic: res_users -> res_partner -> res_users). Each profile's modules add theirs after these.

-- create_uid / write_uid -> res_users on every model table (custom modules' tables included), ON DELETE SET NULL
-- as Odoo declares them.
do $$
declare
    col record;
begin
    for col in
        select c.table_name, c.column_name
        from information_schema.columns c
        where c.table_schema = 'public' and c.column_name in ('create_uid', 'write_uid')
        order by c.table_name, c.column_name
    loop
        execute format(
            'alter table %I add constraint %I foreign key (%I) references res_users (id) on delete set null',
            col.table_name, col.table_name || '_' || col.column_name || '_fkey', col.column_name
        );
    end loop;
end $$;

alter table res_currency_rate
    add foreign key (currency_id) references res_currency (id) on delete cascade,
    add foreign key (company_id) references res_company (id) on delete cascade;
alter table res_country add foreign key (currency_id) references res_currency (id) on delete set null;
alter table res_country_state add foreign key (country_id) references res_country (id) on delete restrict;
alter table res_company
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (currency_id) references res_currency (id) on delete restrict,
    add foreign key (parent_id) references res_company (id) on delete restrict;
alter table res_users
    add foreign key (company_id) references res_company (id) on delete restrict,
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (sale_team_id) references crm_team (id) on delete set null;
alter table res_partner
    add foreign key (company_id) references res_company (id) on delete set null,
    add foreign key (parent_id) references res_partner (id) on delete restrict,
    add foreign key (user_id) references res_users (id) on delete set null,
    add foreign key (commercial_partner_id) references res_partner (id) on delete set null,
    add foreign key (state_id) references res_country_state (id) on delete restrict,
    add foreign key (country_id) references res_country (id) on delete restrict,
    add foreign key (industry_id) references res_partner_industry (id) on delete set null,
    add foreign key (team_id) references crm_team (id) on delete set null;
alter table crm_team
    add foreign key (company_id) references res_company (id) on delete set null,
    add foreign key (user_id) references res_users (id) on delete set null;
alter table crm_stage add foreign key (team_id) references crm_team (id) on delete set null;
alter table utm_campaign add foreign key (user_id) references res_users (id) on delete set null;
alter table crm_lead
    add foreign key (user_id) references res_users (id) on delete set null,
    add foreign key (team_id) references crm_team (id) on delete set null,
    add foreign key (company_id) references res_company (id) on delete set null,
    add foreign key (stage_id) references crm_stage (id) on delete set null,
    add foreign key (partner_id) references res_partner (id) on delete set null,
    add foreign key (state_id) references res_country_state (id) on delete set null,
    add foreign key (country_id) references res_country (id) on delete set null,
    add foreign key (lost_reason_id) references crm_lost_reason (id) on delete set null,
    add foreign key (recurring_plan) references crm_recurring_plan (id) on delete set null,
    add foreign key (campaign_id) references utm_campaign (id) on delete set null,
    add foreign key (medium_id) references utm_medium (id) on delete set null,
    add foreign key (source_id) references utm_source (id) on delete set null;
alter table crm_tag_rel
    add foreign key (lead_id) references crm_lead (id) on delete cascade,
    add foreign key (tag_id) references crm_tag (id) on delete cascade;
alter table product_product add foreign key (product_tmpl_id) references product_template (id) on delete cascade;
alter table sale_order
    add foreign key (user_id) references res_users (id) on delete set null,
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (partner_invoice_id) references res_partner (id) on delete restrict,
    add foreign key (partner_shipping_id) references res_partner (id) on delete restrict,
    add foreign key (currency_id) references res_currency (id) on delete restrict,
    add foreign key (company_id) references res_company (id) on delete restrict,
    add foreign key (team_id) references crm_team (id) on delete set null,
    add foreign key (opportunity_id) references crm_lead (id) on delete set null;
alter table sale_order_line
    add foreign key (order_id) references sale_order (id) on delete cascade,
    add foreign key (product_id) references product_product (id) on delete restrict,
    add foreign key (currency_id) references res_currency (id) on delete set null,
    add foreign key (order_partner_id) references res_partner (id) on delete set null,
    add foreign key (salesman_id) references res_users (id) on delete set null;
alter table account_move
    add foreign key (company_id) references res_company (id) on delete restrict,
    add foreign key (currency_id) references res_currency (id) on delete restrict,
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (commercial_partner_id) references res_partner (id) on delete set null,
    add foreign key (invoice_user_id) references res_users (id) on delete set null;
alter table account_move_line
    add foreign key (move_id) references account_move (id) on delete cascade,
    add foreign key (currency_id) references res_currency (id) on delete restrict,
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (product_id) references product_product (id) on delete restrict;
alter table project_project
    add foreign key (partner_id) references res_partner (id) on delete set null,
    add foreign key (company_id) references res_company (id) on delete restrict,
    add foreign key (user_id) references res_users (id) on delete set null,
    add foreign key (sale_line_id) references sale_order_line (id) on delete set null;

create index crm_lead_partner_id_index on crm_lead (partner_id);
create index crm_lead_stage_id_index on crm_lead (stage_id);
create index crm_lead_user_id_index on crm_lead (user_id);
create index crm_lead_team_id_index on crm_lead (team_id);
create index crm_lead_email_normalized_index on crm_lead (email_normalized);
create index res_partner_parent_id_index on res_partner (parent_id);
create index res_partner_commercial_partner_id_index on res_partner (commercial_partner_id);
create index sale_order_opportunity_id_index on sale_order (opportunity_id);
create index account_move_line_move_id_index on account_move_line (move_id);
