-- Custom Odoo modules of the partner in schema profile `partner_central`, built by other hands than the classic
-- ones: a co-sell module that copies ACE fields onto crm_lead under snake_case names (c_ace_*, plus Studio fields
-- x_studio_*), a funding-request model whose fields all carry the c_ prefix and split the requested amount into
-- cash and credits, and an AWS billing module (c_aws_cost, c_aws_invoice, c_aws_invoice_line, c_aws_discount) with
-- c_-prefixed columns. No verticals model: this partner never installed one.

alter table res_partner
    add column x_studio_duns varchar,
    add column x_studio_segment varchar,
    add column c_aws_customer boolean;

alter table product_template add column c_aws_service_code varchar;

alter table crm_lead
    add column c_aws_account_id integer,
    add column c_origin varchar,
    add column x_studio_ace_opportunity_id varchar,
    add column c_ace_use_case varchar,
    add column c_ace_aws_sales_rep_name varchar,
    add column c_ace_aws_sales_rep_email varchar,
    add column c_ace_psm_name varchar,
    add column c_ace_delivery_model varchar,
    add column c_ace_expected_monthly_revenue numeric,
    add column c_ace_target_close_date date,
    add column c_ace_stage varchar,
    add column c_ace_review_status varchar,
    add column c_ace_sync_enabled boolean,
    add column c_ace_last_sync_date timestamp without time zone,
    add column c_contract_term_months integer,
    add column c_pod_eligible boolean,
    add column x_studio_customer_segment varchar;

create table c_aws_funding_request (
    id serial primary key,
    c_name varchar not null,
    c_lead_id integer,
    c_partner_id integer,
    c_aws_account_id integer,
    c_program varchar,
    c_funding_type varchar,
    c_state varchar,
    c_cash_amount numeric,
    c_credit_amount numeric,
    c_approved_amount numeric,
    c_currency_id integer,
    c_ace_funding_reference varchar,
    c_date_submitted date,
    c_date_approved date,
    c_date_start date,
    c_date_end date,
    c_description text,
    c_user_id integer,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- AWS cost per account, service and month as imported from the payer accounts' cost and usage reports (USD).
-- c_account_number repeats the 12-digit account id beside the many2one, as the import wizard stores it.
create table c_aws_cost (
    id serial primary key,
    c_name varchar,
    c_period date not null,
    c_aws_account_id integer not null,
    c_account_number varchar,
    c_payer_account_id integer,
    c_product_id integer,
    c_service_code varchar,
    c_service_name varchar,
    c_usage_type varchar,
    c_line_item_type varchar,
    c_usage_quantity numeric,
    c_cost numeric,
    c_net_cost numeric,
    c_currency_id integer,
    c_invoice_reference varchar,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- What the partner invoices each customer per month for AWS (header, in the customer's invoicing currency) ...
create table c_aws_invoice (
    id serial primary key,
    name varchar not null,
    c_partner_id integer not null,
    company_id integer,
    c_period date not null,
    c_invoice_date date,
    c_due_date date,
    c_currency_id integer,
    c_exchange_rate numeric,
    c_amount_untaxed numeric,
    c_amount_tax numeric,
    c_amount_total numeric,
    c_cost_usd numeric,
    c_state varchar,
    c_move_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- ... and its lines per account and service.
create table c_aws_invoice_line (
    id serial primary key,
    c_invoice_id integer not null,
    c_aws_account_id integer,
    c_product_id integer,
    c_service_code varchar,
    c_service_name varchar,
    c_period date,
    c_description varchar,
    c_quantity numeric,
    c_cost numeric,
    c_margin_percent numeric,
    c_price_unit numeric,
    c_amount numeric,
    c_currency_id integer,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- Discounts AWS grants the partner per account and month (Solution Provider Program, Partner Originated Discount).
create table c_aws_discount (
    id serial primary key,
    c_name varchar,
    c_aws_account_id integer not null,
    c_payer_account_id integer,
    c_partner_id integer,
    c_period date not null,
    c_program varchar,
    c_discount_type varchar,
    c_eligible_amount numeric,
    c_discount_percent numeric,
    c_discount_amount numeric,
    c_currency_id integer,
    c_state varchar,
    c_reference varchar,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);
