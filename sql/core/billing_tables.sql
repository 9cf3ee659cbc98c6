-- Monthly billing facts: long-lived tables whose months are replaced one partition (range) at a time.
create table if not exists core.aws_costs_monthly (
    month            date not null,
    odoo_account_id  integer not null,
    aws_account_id   text,
    product_code     text not null,
    product_name     text,
    cost_usd         numeric(18, 2) not null,
    usage_quantity   numeric,
    line_count       integer not null,
    primary key (month, odoo_account_id, product_code)
);
create table if not exists core.customer_invoices_monthly (
    month            date not null,
    odoo_account_id  integer not null,
    aws_account_id   text,
    product_code     text not null,
    customer_partner_id integer,
    customer_name    text,
    invoiced_usd     numeric(18, 2),
    invoiced_amount  numeric(18, 2) not null,
    currency_codes   text[] not null,
    line_count       integer not null,
    unconverted_lines integer not null,
    primary key (month, odoo_account_id, product_code)
);
create table if not exists core.billing_reconciliation_monthly (
    month            date not null,
    odoo_account_id  integer not null,
    aws_account_id   text,
    product_code     text not null,
    customer_name    text,
    cost_usd         numeric(18, 2),
    invoiced_usd     numeric(18, 2),
    margin_usd       numeric(18, 2),
    margin_pct       numeric(9, 4),
    status           text not null,
    primary key (month, odoo_account_id, product_code)
);
-- what the installation's sources lacked when the month was built (source mapping), like core's quality_flags
alter table core.aws_costs_monthly add column if not exists quality_flags text[] not null default '{}';
alter table core.customer_invoices_monthly add column if not exists quality_flags text[] not null default '{}';
