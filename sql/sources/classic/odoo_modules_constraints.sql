-- Foreign keys and indexes of the classic profile's custom modules (after the bulk load).

alter table c_vertical_res_partner_rel
    add foreign key (res_partner_id) references res_partner (id) on delete cascade,
    add foreign key (c_vertical_id) references c_vertical (id) on delete cascade;

alter table crm_lead
    add foreign key (aws_ace_id) references c_aws_accounts (id) on delete set null,
    add foreign key (c_aws_funding_request_id) references c_aws_funding_request (id) on delete set null,
    add foreign key (c_vertical_id) references c_vertical (id) on delete set null;

alter table c_aws_funding_request
    add foreign key (lead_id) references crm_lead (id) on delete set null,
    add foreign key (partner_id) references res_partner (id) on delete set null,
    add foreign key (aws_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (currency_id) references res_currency (id) on delete set null;

alter table c_billing_internal_cur
    add foreign key (account_id) references c_aws_accounts (id) on delete cascade,
    add foreign key (payer_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (product_id) references product_template (id) on delete set null,
    add foreign key (currency_id) references res_currency (id) on delete set null;

alter table c_billing_bill
    add foreign key (partner_id) references res_partner (id) on delete restrict,
    add foreign key (currency_id) references res_currency (id) on delete set null,
    add foreign key (move_id) references account_move (id) on delete set null;

alter table c_billing_bill_line
    add foreign key (bill_id) references c_billing_bill (id) on delete cascade,
    add foreign key (account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (product_id) references product_template (id) on delete set null,
    add foreign key (currency_id) references res_currency (id) on delete set null;

alter table c_billing_spp_bill
    add foreign key (account_id) references c_aws_accounts (id) on delete cascade,
    add foreign key (payer_account_id) references c_aws_accounts (id) on delete set null,
    add foreign key (partner_id) references res_partner (id) on delete set null,
    add foreign key (currency_id) references res_currency (id) on delete set null;

create index c_billing_internal_cur_account_period_index on c_billing_internal_cur (account_id, period);

create index c_billing_bill_line_bill_id_index on c_billing_bill_line (bill_id);

create index c_billing_bill_line_account_period_index on c_billing_bill_line (account_id, period);

create index c_billing_spp_bill_account_period_index on c_billing_spp_bill (account_id, period);
