-- (invoiced in core, invoiced in raw) of the window, in bill currencies (the USD view depends on rates).
select (select coalesce(sum(invoiced_amount), 0) from core.customer_invoices_monthly
        where month >= %(start)s and month < %(end)s),
       (select coalesce(round(sum(l.amount), 2), 0) from raw.odoo_c_billing_bill_line l
        join raw.odoo_c_billing_bill b on b.id = l.bill_id and b._sync_deleted_at is null
        where l._sync_deleted_at is null and l.account_id is not null
          and coalesce(l.period, b.period) >= %(start)s and coalesce(l.period, b.period) < %(end)s)
