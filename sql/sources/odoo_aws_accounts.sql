-- AWS accounts of the partner's customers (Odoo model c.aws.accounts): the record's name is the 12-digit account id.
-- The same app in both schema profiles; the profiles' own modules refer to it.

create table c_aws_accounts (
    id serial primary key,
    name varchar not null,
    c_aws_account_name varchar,
    c_aws_account_alias varchar,
    c_aws_company_id integer,
    c_aws_primary_contact_id integer,
    is_payer boolean,
    payer_id integer,
    account_status varchar,
    root_email varchar,
    c_aws_support_plan varchar,
    c_spp_enrolled boolean,
    c_billing_enabled boolean,
    c_joined_date date,
    c_closed_date date,
    c_default_region varchar,
    company_id integer,
    active boolean,
    notes text,
    create_uid integer, create_date timestamp without time zone,
    write_uid integer, write_date timestamp without time zone
);
