-- (total in core, total in raw) of the window: equal up to per-group rounding, or cost went missing.
select (select coalesce(sum(cost_usd), 0) from core.aws_costs_monthly
        where month >= %(start)s and month < %(end)s),
       (select coalesce(round(sum(coalesce(unblended_cost, 0)), 2), 0) from raw.odoo_c_billing_internal_cur
        where _sync_deleted_at is null and period >= %(start)s and period < %(end)s)
