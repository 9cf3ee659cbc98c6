-- Foreign keys and indexes of the partner_central profile's custom modules (after the bulk load).

alter table crm_lead add foreign key (c_aws_account_id) references c_aws_accounts (id) on delete set null;

alter table c_aws_funding_request
    add foreign key (c_lead_id) references crm_lead (id) on delete set null,
    add foreign key (c_partner_id) references res_partner (id) on delete set null,
    add foreign key (c_aws_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (c_currency_id) references res_currency (id) on delete set null,
    add foreign key (c_user_id) references res_users (id) on delete set null;

alter table c_aws_cost
    add foreign key (c_aws_account_id) references c_aws_accounts (id) on delete cascade,
    add foreign key (c_payer_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (c_product_id) references product_template (id) on delete set null,
    add foreign key (c_currency_id) references res_currency (id) on delete set null;

alter table c_aws_invoice
    add foreign key (c_partner_id) references res_partner (id) on delete restrict,
    add foreign key (c_currency_id) references res_currency (id) on delete set null,
    add foreign key (c_move_id) references account_move (id) on delete set null;

alter table c_aws_invoice_line
    add foreign key (c_invoice_id) references c_aws_invoice (id) on delete cascade,
    add foreign key (c_aws_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (c_product_id) references product_template (id) on delete set null,
    add foreign key (c_currency_id) references res_currency (id) on delete set null;

alter table c_aws_discount
    add foreign key (c_aws_account_id) references c_aws_accounts (id) on delete cascade,
    add foreign key (c_payer_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (c_partner_id) references res_partner (id) on delete set null,
    add foreign key (c_currency_id) references res_currency (id) on delete set null;

create index c_aws_funding_request_c_lead_id_index on c_aws_funding_request (c_lead_id);
create index c_aws_cost_account_period_index on c_aws_cost (c_aws_account_id, c_period);
create index c_aws_invoice_line_invoice_id_index on c_aws_invoice_line (c_invoice_id);
create index c_aws_invoice_line_account_period_index on c_aws_invoice_line (c_aws_account_id, c_period);
create index c_aws_discount_account_period_index on c_aws_discount (c_aws_account_id, c_period);
