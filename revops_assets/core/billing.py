"""Monthly billing facts, partitioned by month: AWS cost, customer invoices, and their reconciliation.

Each run replaces exactly its months (delete + insert in one transaction), so one month can be recomputed alone
and a range backfills in a single run (`BackfillPolicy.single_run`). Each partition checks that its totals equal
the raw rows of the same months, so a month never silently loses cost.
"""

import dagster as dg

from revops_assets.core.build import core_sql

BILLING_START = "2024-01-01"
# end_offset=1: the running month is a partition too (costs accrue daily)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=BILLING_START, end_offset=1)
TOTALS_CHECK = "totals_match_raw"


def _window(context: dg.AssetExecutionContext) -> dict:
    window = context.partition_time_window
    return {"start": window.start.date(), "end": window.end.date()}


def _run(conn, *files: str, params: dict) -> None:
    with conn.cursor() as cur:
        cur.execute(core_sql("billing_tables.sql"))
        for name in files:
            cur.execute(core_sql(name), params)


def _facts(cur, table: str, params: dict) -> dict:
    cur.execute(
        f"select count(*), count(distinct month) from core.{table} where month >= %(start)s and month < %(end)s",  # noqa: S608
        params,
    )
    rows, months = cur.fetchone()
    return {"dagster/row_count": rows, "months": months, "window": f"{params['start']} .. {params['end']}"}


def _totals_check(cur, name: str, params: dict, rows: int) -> tuple[float, dg.AssetCheckResult]:
    """Core's total of the window against raw's, tolerating only per-group rounding (half a cent per row)."""
    cur.execute(core_sql(f"{name}_totals.sql"), params)
    core_total, raw_total = cur.fetchone()
    check = dg.AssetCheckResult(
        check_name=TOTALS_CHECK,
        passed=abs(core_total - raw_total) <= 0.01 * max(1, rows),
        metadata={"core_total": float(core_total), "raw_total": float(raw_total)},
    )
    return float(core_total), check


COMMON = dict(
    group_name="core_billing",
    kinds={"postgres"},
    owners=["team:revops"],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    required_resource_keys={"warehouse_db"},
    tags={"layer": "core"},
)


@dg.asset(
    key=["core", "aws_costs_monthly"],
    deps=[dg.AssetKey(["raw", "odoo_c_billing_internal_cur"]), dg.AssetKey(["raw", "odoo_c_aws_accounts"])],
    description="Actual AWS cost (USD) per AWS account, product and month.",
    check_specs=[dg.AssetCheckSpec(TOTALS_CHECK, asset=["core", "aws_costs_monthly"], blocking=True,
                                   description="sum of cost equals the raw cost rows of the same months")],
    **COMMON,
)
def aws_costs_monthly(context: dg.AssetExecutionContext):
    params = _window(context)
    with context.resources.warehouse_db.connection() as conn:
        _run(conn, "aws_costs_monthly.sql", params=params)
        with conn.cursor() as cur:
            metadata = _facts(cur, "aws_costs_monthly", params)
            metadata["cost_usd"], check = _totals_check(cur, "aws_costs_monthly", params, metadata["dagster/row_count"])
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


@dg.asset(
    key=["core", "customer_invoices_monthly"],
    deps=[dg.AssetKey(["raw", t]) for t in ("odoo_c_billing_bill", "odoo_c_billing_bill_line", "odoo_c_aws_accounts",
                                            "odoo_res_partner", "odoo_res_currency", "odoo_res_currency_rate",
                                            "odoo_res_company")],
    description="What the partner invoiced its customers per AWS account, product and month (bill currency and USD).",
    check_specs=[dg.AssetCheckSpec(TOTALS_CHECK, asset=["core", "customer_invoices_monthly"], blocking=True,
                                   description="invoiced amount equals the raw bill lines of the same months")],
    **COMMON,
)
def customer_invoices_monthly(context: dg.AssetExecutionContext):
    params = _window(context)
    with context.resources.warehouse_db.connection() as conn:
        with conn.cursor() as cur:
            cur.execute(core_sql("usd_rates.sql"))
        _run(conn, "customer_invoices_monthly.sql", params=params)
        with conn.cursor() as cur:
            metadata = _facts(cur, "customer_invoices_monthly", params)
            metadata["invoiced_amount"], check = _totals_check(
                cur, "customer_invoices_monthly", params, metadata["dagster/row_count"]
            )
            cur.execute(
                "select coalesce(sum(unconverted_lines), 0) from core.customer_invoices_monthly "
                "where month >= %(start)s and month < %(end)s",
                params,
            )
            metadata["unconverted_lines"] = int(cur.fetchone()[0])
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


@dg.asset(
    key=["core", "billing_reconciliation_monthly"],
    deps=[aws_costs_monthly, customer_invoices_monthly],
    description="Cost versus invoice and margin per AWS account, product and month, with a status to act on "
    "(cost not invoiced, invoiced without cost, negative margin).",
    **COMMON,
)
def billing_reconciliation_monthly(context: dg.AssetExecutionContext):
    params = _window(context)
    with context.resources.warehouse_db.connection() as conn:
        _run(conn, "billing_reconciliation_monthly.sql", params=params)
        with conn.cursor() as cur:
            metadata = _facts(cur, "billing_reconciliation_monthly", params)
            cur.execute(
                "select status, count(*), coalesce(sum(margin_usd), 0) from core.billing_reconciliation_monthly "
                "where month >= %(start)s and month < %(end)s group by status order by status",
                params,
            )
            by_status = {status: count for status, count, _ in cur.fetchall()}
            cur.execute(
                "select coalesce(sum(cost_usd), 0), coalesce(sum(invoiced_usd), 0) from core.billing_reconciliation_monthly "
                "where month >= %(start)s and month < %(end)s",
                params,
            )
            cost, invoiced = cur.fetchone()
    metadata.update({
        "by_status": dg.MetadataValue.json(by_status),
        "cost_usd": float(cost),
        "invoiced_usd": float(invoiced),
        "margin_usd": float(invoiced - cost),
    })
    return dg.MaterializeResult(metadata=metadata)


billing_assets = [aws_costs_monthly, customer_invoices_monthly, billing_reconciliation_monthly]
