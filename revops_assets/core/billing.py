"""Monthly billing facts, partitioned by month: AWS cost, customer invoices, and their reconciliation.

Each run replaces exactly its months (delete + insert in one transaction), so one month can be recomputed alone
and a range backfills in a single run (`BackfillPolicy.single_run`). Each partition checks that its totals equal
the raw rows of the same months, so a month never silently loses cost. The billing module is the partner's own
(a custom Odoo model): its tables and columns come through the source mapping (billing.cost, billing.bill,
billing.bill_line in data/mappings/odoo.yaml), and an installation without one gets empty months, flagged.
"""

from datetime import date

import dagster as dg
from psycopg2 import sql

from revops_assets.core.assets import SOURCE_CHECK, SOURCE_CHECK_SPEC, source_check, source_metadata
from revops_assets.core.build import add_row_flags, core_sql
from revops_assets.core.mapping import SourceSet, prepare_sources, raw_tables_of

COST_SOURCES = ("billing.cost", "odoo.aws_account")
INVOICE_SOURCES = ("billing.bill", "billing.bill_line", "odoo.aws_account", "odoo.partner", "odoo.currency",
                   "odoo.currency_rate", "odoo.company")

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


def _window_filter() -> sql.Composable:
    return sql.SQL("month >= %(start)s and month < %(end)s")


def _flag_window(conn, table: str, sources: SourceSet, params: dict) -> None:
    with conn.cursor() as cur:
        add_row_flags(cur, "core", table, sources.flags(), where=_window_filter(), params=params)


def months_with_data(conn) -> list[date]:
    """First days of the months that have cost or bill lines (what `revops run` materializes), in order."""
    prepare_sources(conn, (*COST_SOURCES, *INVOICE_SOURCES))
    with conn.cursor() as cur:
        cur.execute(
            "select distinct date_trunc('month', p)::date from ("
            " select period as p from src_billing_cost union all"
            " select coalesce(l.period, b.period) from src_billing_bill_line l join src_billing_bill b on b.id = l.bill_id"
            ") x where p is not null order by 1"
        )
        return [row[0] for row in cur.fetchall()]


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


def _deps(names) -> list[dg.AssetKey]:
    return [dg.AssetKey(["raw", t]) for t in raw_tables_of(names)]


def _specs(name: str, totals: str) -> list[dg.AssetCheckSpec]:
    key = ["core", name]
    return [dg.AssetCheckSpec(TOTALS_CHECK, asset=key, blocking=True, description=totals),
            dg.AssetCheckSpec(SOURCE_CHECK, asset=key, description=SOURCE_CHECK_SPEC)]


@dg.asset(
    key=["core", "aws_costs_monthly"],
    deps=_deps(COST_SOURCES),
    description="Actual AWS cost (USD) per AWS account, product and month.",
    check_specs=_specs("aws_costs_monthly", "sum of cost equals the source cost lines (with an account) of the months"),
    **COMMON,
)
def aws_costs_monthly(context: dg.AssetExecutionContext):
    params = _window(context)
    with context.resources.warehouse_db.connection() as conn:
        sources = prepare_sources(conn, COST_SOURCES)
        with conn.cursor() as cur:
            cur.execute(core_sql("aws_account_ids.sql"))
            cur.execute(core_sql("cost_lines.sql"), params)
        _run(conn, "aws_costs_monthly.sql", params=params)
        _flag_window(conn, "aws_costs_monthly", sources, params)
        with conn.cursor() as cur:
            metadata = _facts(cur, "aws_costs_monthly", params)
            metadata["cost_usd"], check = _totals_check(cur, "aws_costs_monthly", params, metadata["dagster/row_count"])
            metadata.update(_unassigned(cur, "_cost_lines", "amount"))
    metadata.update(source_metadata(sources))
    return dg.MaterializeResult(metadata=metadata, check_results=[check, source_check(sources)])


def _unassigned(cur, lines: str, amount: str) -> dict:
    """Source lines whose AWS account could not be found: reported, never summed into another account."""
    cur.execute(
        sql.SQL("select count(*), coalesce(sum({}), 0) from {} where odoo_account_id is null").format(
            sql.Identifier(amount), sql.Identifier(lines)
        )
    )
    count, total = cur.fetchone()
    return {"lines_without_account": int(count), "amount_without_account": float(total)}


@dg.asset(
    key=["core", "customer_invoices_monthly"],
    deps=_deps(INVOICE_SOURCES),
    description="What the partner invoiced its customers per AWS account, product and month (bill currency and USD).",
    check_specs=_specs("customer_invoices_monthly",
                       "invoiced amount equals the source bill lines (with an account) of the months"),
    **COMMON,
)
def customer_invoices_monthly(context: dg.AssetExecutionContext):
    params = _window(context)
    with context.resources.warehouse_db.connection() as conn:
        sources = prepare_sources(conn, INVOICE_SOURCES)
        with conn.cursor() as cur:
            cur.execute(core_sql("usd_rates.sql"))
            cur.execute(core_sql("aws_account_ids.sql"))
            cur.execute(core_sql("bill_lines.sql"), params)
        _run(conn, "customer_invoices_monthly.sql", params=params)
        _flag_window(conn, "customer_invoices_monthly", sources, params)
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
            metadata.update(_unassigned(cur, "_bill_lines", "amount"))
    metadata.update(source_metadata(sources))
    return dg.MaterializeResult(metadata=metadata, check_results=[check, source_check(sources)])


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
