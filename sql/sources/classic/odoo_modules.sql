-- The "classic" partner's custom Odoo modules (schema profile `classic`, the generator's default): ACE fields copied
-- onto crm_lead under the legacy ACE JSON names (some mixed-case, created by Odoo Studio-like tooling, so they must
-- be quoted), verticals, funding requests, and an AWS billing module (cost and usage, customer bills, SPP discounts)
-- whose tables are c_billing_*.

alter table res_partner
    add column c_duns varchar,
    add column c_customer_segment varchar,
    add column c_aws_customer boolean;

alter table product_template add column c_aws_product_code varchar;

alter table crm_lead
    add column aws_ace_id integer,  -- the AWS account (c_aws_accounts), despite the name
    add column origination varchar,
    add column c_aws_ace_opportunity_id varchar,
    add column "c_aws_ace_useCase" varchar,
    add column "c_aws_ace_aWSSalesRepName" varchar,
    add column "c_aws_ace_aWSSalesRepEmail" varchar,
    add column "c_aws_ace_aWSPartnerSuccessManagerName" varchar,
    add column "c_aws_ace_deliveryModel" varchar,
    add column "c_aws_ace_expectedMonthlyAwsRevenue" numeric,
    add column "c_aws_ace_targetCloseDate" date,
    add column c_aws_ace_stage varchar,
    add column c_aws_ace_status varchar,
    add column c_aws_ace_sync boolean,
    add column c_aws_ace_last_sync timestamp without time zone,
    add column c_aws_funding_request_id integer,
    add column c_vertical_id integer,
    add column c_contract_term_months integer,
    add column c_pod_eligible boolean,
    add column x_studio_customer_segment varchar;

create table c_vertical (
    id serial primary key,
    name jsonb not null,
    code varchar,
    active boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table c_vertical_res_partner_rel (
    res_partner_id integer not null,
    c_vertical_id integer not null,
    primary key (res_partner_id, c_vertical_id)
);

create table c_aws_funding_request (
    id serial primary key,
    name varchar not null,
    lead_id integer,
    partner_id integer,
    aws_account_id integer,
    program varchar,
    funding_type varchar,
    state varchar,
    amount_requested numeric,
    amount_approved numeric,
    currency_id integer,
    ace_funding_request_id varchar,
    submitted_date date,
    approved_date date,
    start_date date,
    end_date date,
    description text,
    user_id integer,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- AWS cost and usage per account, product and month, as imported from the partner's payer accounts (USD).
create table c_billing_internal_cur (
    id serial primary key,
    name varchar,
    period date not null,
    billing_period_start date,
    billing_period_end date,
    account_id integer not null,
    payer_account_id integer,
    product_id integer,
    product_code varchar,
    product_name varchar,
    usage_type varchar,
    line_item_type varchar,
    usage_quantity numeric,
    unblended_cost numeric,
    blended_cost numeric,
    net_unblended_cost numeric,
    currency_id integer,
    aws_invoice_id varchar,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- What the partner bills each customer per month (header) ...
create table c_billing_bill (
    id serial primary key,
    name varchar not null,
    partner_id integer not null,
    company_id integer,
    period date not null,
    bill_date date,
    due_date date,
    currency_id integer,
    exchange_rate numeric,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    cost_total_usd numeric,
    state varchar,
    move_id integer,
    notes text,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- ... and per account and product (lines, amounts in the bill's currency).
create table c_billing_bill_line (
    id serial primary key,
    bill_id integer not null,
    account_id integer,
    product_id integer,
    product_code varchar,
    product_name varchar,
    period date,
    description varchar,
    quantity numeric,
    cost_amount numeric,
    margin_percent numeric,
    price_unit numeric,
    amount numeric,
    currency_id integer,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

-- Solution Provider Program discounts AWS grants the partner per account and month.
create table c_billing_spp_bill (
    id serial primary key,
    name varchar,
    account_id integer not null,
    payer_account_id integer,
    partner_id integer,
    period date not null,
    program varchar,
    discount_type varchar,
    eligible_amount numeric,
    discount_percent numeric,
    discount_amount numeric,
    currency_id integer,
    state varchar,
    aws_reference varchar,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

