-- (invoiced in core, invoiced in the source lines with an account) of the window, in bill currencies (the USD
-- view depends on rates).
select (select coalesce(sum(invoiced_amount), 0) from core.customer_invoices_monthly
        where month >= %(start)s and month < %(end)s),
       (select coalesce(round(sum(l.amount), 2), 0) from _bill_lines l
        where l.odoo_account_id is not null and l.period >= %(start)s and l.period < %(end)s)
