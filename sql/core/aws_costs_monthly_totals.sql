-- (total in core, total of the source lines with an account) of the window: equal up to per-group rounding, or
-- cost went missing. Lines without a resolvable account are reported apart (metadata), not hidden in a total.
select (select coalesce(sum(cost_usd), 0) from core.aws_costs_monthly
        where month >= %(start)s and month < %(end)s),
       (select coalesce(round(sum(coalesce(amount, 0)), 2), 0) from _cost_lines
        where odoo_account_id is not null and period >= %(start)s and period < %(end)s)
