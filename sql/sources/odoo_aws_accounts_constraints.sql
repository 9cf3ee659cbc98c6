-- Foreign keys and indexes of the AWS accounts app (after the bulk load).

alter table c_aws_accounts
    add foreign key (c_aws_company_id) references res_partner (id) on delete set null,
    add foreign key (c_aws_primary_contact_id) references res_partner (id) on delete set null,
    add foreign key (payer_id) references c_aws_accounts (id) on delete set null,
    add foreign key (company_id) references res_company (id) on delete set null;

create index c_aws_accounts_name_index on c_aws_accounts (name);
