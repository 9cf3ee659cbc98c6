-- Odoo 17 standard models of an AWS partner's database (base, contacts, CRM, sales, invoicing, projects), shared by
-- every schema profile of the synthetic generator. Column names and types follow Odoo's ORM (id serial, audit
-- columns, jsonb translated names, html as text, many2one integers, relation tables without id).
-- Each profile's custom modules add their own tables and fields afterwards (<profile>/odoo_modules.sql), as Odoo
-- does when a module is installed: `alter table ... add column` appends custom fields after the standard ones.
-- Foreign keys and indexes come after the bulk load (odoo_standard_constraints.sql), as pg_restore does.

create table res_currency (
    id serial primary key,
    name varchar not null,
    full_name varchar,
    symbol varchar not null,
    iso_numeric integer,
    decimal_places integer,
    rounding numeric,
    active boolean,
    position varchar,
    currency_unit_label jsonb,
    currency_subunit_label jsonb,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_currency_rate (
    id serial primary key,
    name date not null,
    rate numeric,
    currency_id integer not null,
    company_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_country (
    id serial primary key,
    name jsonb not null,
    code varchar(2),
    currency_id integer,
    phone_code integer,
    address_format text,
    address_view_id integer,
    name_position varchar,
    vat_label jsonb,
    state_required boolean,
    zip_required boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_country_state (
    id serial primary key,
    country_id integer not null,
    name varchar not null,
    code varchar not null,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_partner_industry (
    id serial primary key,
    name jsonb,
    full_name jsonb,
    active boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_company (
    id serial primary key,
    name varchar not null,
    partner_id integer not null,
    currency_id integer not null,
    sequence integer,
    parent_id integer,
    parent_path varchar,
    email varchar,
    phone varchar,
    mobile varchar,
    company_registry varchar,
    report_header jsonb,
    report_footer jsonb,
    company_details jsonb,
    active boolean,
    font varchar,
    primary_color varchar,
    secondary_color varchar,
    layout_background varchar,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_users (
    id serial primary key,
    company_id integer not null,
    partner_id integer not null,
    active boolean default true,
    login varchar not null,
    password varchar,
    action_id integer,
    signature text,
    share boolean,
    notification_type varchar not null default 'email',
    karma integer,
    rank_id integer,
    odoobot_state varchar,
    sale_team_id integer,
    totp_secret varchar,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table res_partner (
    id serial primary key,
    name varchar,
    complete_name varchar,
    company_id integer,
    title integer,
    parent_id integer,
    user_id integer,
    commercial_partner_id integer,
    commercial_company_name varchar,
    company_name varchar,
    date date,
    ref varchar,
    lang varchar,
    tz varchar,
    vat varchar,
    company_registry varchar,
    website varchar,
    function varchar,
    type varchar,
    street varchar,
    street2 varchar,
    zip varchar,
    city varchar,
    state_id integer,
    country_id integer,
    industry_id integer,
    partner_latitude numeric,
    partner_longitude numeric,
    email varchar,
    phone varchar,
    mobile varchar,
    is_company boolean,
    active boolean,
    employee boolean,
    color integer,
    partner_share boolean,
    barcode varchar,
    comment text,
    email_normalized varchar,
    phone_sanitized varchar,
    message_bounce integer,
    signup_type varchar,
    customer_rank integer,
    supplier_rank integer,
    team_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_team (
    id serial primary key,
    name jsonb not null,
    sequence integer,
    active boolean,
    company_id integer,
    user_id integer,
    color integer,
    alias_id integer,
    use_leads boolean,
    use_opportunities boolean,
    assignment_optout boolean,
    assignment_max integer,
    assignment_domain varchar,
    invoiced_target numeric,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_stage (
    id serial primary key,
    name jsonb not null,
    sequence integer,
    is_won boolean,
    requirements text,
    team_id integer,
    fold boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_lost_reason (
    id serial primary key,
    name jsonb not null,
    active boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_tag (
    id serial primary key,
    name jsonb not null,
    color integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_recurring_plan (
    id serial primary key,
    name jsonb not null,
    number_of_months integer not null,
    active boolean,
    sequence integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table utm_source (
    id serial primary key,
    name varchar not null,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table utm_medium (
    id serial primary key,
    name varchar not null,
    active boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table utm_campaign (
    id serial primary key,
    name varchar not null,
    title jsonb,
    user_id integer,
    stage_id integer,
    is_auto_campaign boolean,
    color integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_lead (
    id serial primary key,
    name varchar not null,
    referred varchar,
    description text,
    active boolean,
    type varchar not null,
    priority varchar,
    color integer,
    lead_properties jsonb,
    user_id integer,
    team_id integer,
    company_id integer,
    stage_id integer,
    partner_id integer,
    title integer,
    lang_id integer,
    state_id integer,
    country_id integer,
    lost_reason_id integer,
    recurring_plan integer,
    campaign_id integer,
    medium_id integer,
    source_id integer,
    expected_revenue numeric,
    prorated_revenue numeric,
    recurring_revenue numeric,
    recurring_revenue_monthly numeric,
    recurring_revenue_monthly_prorated numeric,
    recurring_revenue_prorated numeric,
    date_closed timestamp without time zone,
    date_automation_last timestamp without time zone,
    date_open timestamp without time zone,
    date_last_stage_update timestamp without time zone,
    date_conversion timestamp without time zone,
    date_deadline date,
    day_open double precision,
    day_close double precision,
    contact_name varchar,
    partner_name varchar,
    function varchar,
    email_from varchar,
    email_normalized varchar,
    email_domain_criterion varchar,
    email_cc varchar,
    phone varchar,
    mobile varchar,
    phone_sanitized varchar,
    phone_state varchar,
    email_state varchar,
    website varchar,
    street varchar,
    street2 varchar,
    zip varchar,
    city varchar,
    probability double precision,
    automated_probability double precision,
    message_bounce integer,
    message_main_attachment_id integer,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table crm_tag_rel (
    lead_id integer not null,
    tag_id integer not null,
    primary key (lead_id, tag_id)
);

create table product_template (
    id serial primary key,
    name jsonb not null,
    sequence integer,
    description jsonb,
    description_sale jsonb,
    description_purchase jsonb,
    type varchar not null,
    detailed_type varchar not null,
    categ_id integer not null,
    list_price numeric,
    volume numeric,
    weight numeric,
    sale_ok boolean,
    purchase_ok boolean,
    uom_id integer not null,
    uom_po_id integer not null,
    company_id integer,
    active boolean,
    color integer,
    default_code varchar,
    invoice_policy varchar,
    service_type varchar,
    expense_policy varchar,
    sale_line_warn varchar,
    priority varchar,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table product_product (
    id serial primary key,
    product_tmpl_id integer not null,
    default_code varchar,
    barcode varchar,
    combination_indices varchar,
    active boolean,
    volume numeric,
    weight numeric,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table sale_order (
    id serial primary key,
    name varchar not null,
    origin varchar,
    client_order_ref varchar,
    reference varchar,
    state varchar,
    date_order timestamp without time zone not null,
    validity_date date,
    require_signature boolean,
    require_payment boolean,
    user_id integer,
    partner_id integer not null,
    partner_invoice_id integer not null,
    partner_shipping_id integer not null,
    pricelist_id integer,
    currency_id integer,
    analytic_account_id integer,
    invoice_status varchar,
    note text,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    currency_rate numeric,
    payment_term_id integer,
    fiscal_position_id integer,
    company_id integer not null,
    team_id integer,
    signed_by varchar,
    signed_on timestamp without time zone,
    commitment_date timestamp without time zone,
    opportunity_id integer,
    source_id integer,
    medium_id integer,
    campaign_id integer,
    journal_id integer,
    locked boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table sale_order_line (
    id serial primary key,
    order_id integer not null,
    sequence integer,
    company_id integer,
    currency_id integer,
    order_partner_id integer,
    salesman_id integer,
    state varchar,
    display_type varchar,
    name text not null,
    product_id integer,
    product_uom_qty numeric not null,
    product_uom integer,
    price_unit numeric not null,
    discount numeric,
    price_subtotal numeric,
    price_tax double precision,
    price_total numeric,
    price_reduce_taxexcl numeric,
    qty_delivered numeric,
    qty_invoiced numeric,
    qty_to_invoice numeric,
    untaxed_amount_invoiced numeric,
    untaxed_amount_to_invoice numeric,
    invoice_status varchar,
    customer_lead double precision not null,
    is_downpayment boolean,
    is_expense boolean,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table account_move (
    id serial primary key,
    name varchar,
    ref varchar,
    date date not null,
    state varchar not null,
    move_type varchar not null,
    journal_id integer not null,
    company_id integer,
    currency_id integer not null,
    partner_id integer,
    commercial_partner_id integer,
    fiscal_position_id integer,
    payment_reference varchar,
    invoice_date date,
    invoice_date_due date,
    invoice_origin varchar,
    invoice_user_id integer,
    team_id integer,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    amount_residual numeric,
    amount_untaxed_signed numeric,
    amount_tax_signed numeric,
    amount_total_signed numeric,
    amount_total_in_currency_signed numeric,
    amount_residual_signed numeric,
    payment_state varchar,
    narration text,
    invoice_partner_display_name varchar,
    sequence_prefix varchar,
    sequence_number integer,
    is_move_sent boolean,
    auto_post varchar not null default 'no',
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table account_move_line (
    id serial primary key,
    move_id integer not null,
    move_name varchar,
    date date,
    ref varchar,
    parent_state varchar,
    journal_id integer,
    company_id integer,
    company_currency_id integer,
    account_id integer,
    sequence integer,
    name varchar,
    quantity numeric,
    price_unit numeric,
    discount numeric,
    debit numeric,
    credit numeric,
    balance numeric,
    amount_currency numeric,
    price_subtotal numeric,
    price_total numeric,
    currency_id integer not null,
    partner_id integer,
    product_id integer,
    product_uom_id integer,
    display_type varchar not null,
    date_maturity date,
    reconciled boolean,
    amount_residual numeric,
    amount_residual_currency numeric,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);

create table project_project (
    id serial primary key,
    name jsonb not null,
    description text,
    active boolean,
    sequence integer,
    partner_id integer,
    company_id integer not null,
    user_id integer,
    analytic_account_id integer,
    sale_line_id integer,
    date_start date,
    date date,
    privacy_visibility varchar not null,
    allow_timesheets boolean,
    allow_billable boolean,
    color integer,
    stage_id integer,
    last_update_status varchar not null,
    label_tasks jsonb,
    allocated_hours double precision,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);
