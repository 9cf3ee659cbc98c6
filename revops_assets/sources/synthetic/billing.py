"""Monthly AWS cost (c_billing_internal_cur), customer invoice lines (c_billing_bill_line), bills and SPP discounts.

Billing is the one place where volumes reach millions of rows, so it is generated with numpy, one month at a time,
and handed to COPY as blocks of rendered columns: memory stays bounded by one month of rows whatever the total. A
*series* is one (account, product) pair with a base cost and a trend; a month's rows are the series active that
month. Each month has its own seeded generator, so the cost pass and the invoice pass see identical costs without
keeping them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.deals import LINKED, World, partner_company_of
from revops_assets.sources.synthetic.fx import FxTable, add_months, month_index
from revops_assets.sources.synthetic.odoo.context import SYSTEM_UID, OdooIds

DEFAULT_MONTHS = 24
MAX_MONTHS = 240
CHUNK_ROWS = 20_000
SPP_PERCENT = {"USD": 8.0, "EUR": 7.0, "GBP": 6.0}
POD_PERCENT = 3.0

COST_COLUMNS = ("id", "name", "period", "billing_period_start", "billing_period_end", "account_id",
                "payer_account_id", "product_id", "product_code", "product_name", "usage_type", "line_item_type",
                "usage_quantity", "unblended_cost", "blended_cost", "net_unblended_cost", "currency_id",
                "aws_invoice_id", "company_id", "create_uid", "create_date", "write_uid", "write_date",
                "account_number")  # the 12-digit id beside the many2one, for profiles that store it
LINE_COLUMNS = ("id", "bill_id", "account_id", "product_id", "product_code", "product_name", "period", "description",
                "quantity", "cost_amount", "margin_percent", "price_unit", "amount", "currency_id", "company_id",
                "create_uid", "create_date", "write_uid", "write_date")
SPP_COLUMNS = ("id", "name", "account_id", "payer_account_id", "partner_id", "period", "program", "discount_type",
               "eligible_amount", "discount_percent", "discount_amount", "currency_id", "state", "aws_reference",
               "company_id", "create_uid", "create_date", "write_uid", "write_date")


@dataclass
class BillingPlan:
    """Everything the passes need, as arrays; series are (account, product) pairs."""

    seed: int
    today: date
    months: int
    noise: float
    periods: list[date]  # month m -> first day
    # accounts
    account_id: np.ndarray  # c_aws_accounts.id
    account_number: list[str]
    payer_id: np.ndarray  # c_aws_accounts.id of the payer (0 = none)
    account_company: np.ndarray  # index into companies
    account_pod_from: np.ndarray  # month index from which POD applies (months = never)
    # billed companies
    company_partner: np.ndarray  # res_partner id
    company_odoo_company: np.ndarray  # res_company id (1..3)
    company_currency: list[str]
    company_markup: np.ndarray
    bill_id: np.ndarray  # [company, month] -> c_billing_bill.id, 0 = no bill
    # series
    series_account: np.ndarray
    series_product: np.ndarray
    series_base: np.ndarray
    series_growth: np.ndarray
    series_start: np.ndarray
    series_end: np.ndarray
    product_ids: np.ndarray  # product index -> product_template.id
    currency_ids: dict[str, int]
    fx: FxTable
    # accumulated by the passes
    account_month_cost: np.ndarray = field(default=None)  # [account, month] USD
    bill_untaxed: np.ndarray = field(default=None)
    bill_cost: np.ndarray = field(default=None)
    cost_rows: int = 0
    line_rows: int = 0

    @property
    def expected_cost_rows(self) -> int:
        return int(np.sum(np.maximum(0, self.series_end - self.series_start)))


def plan_billing(world: World, ids: OdooIds, fx: FxTable, *, target_rows: int | None = None) -> BillingPlan:
    rng = np.random.default_rng([world.seed, 0xB0])
    today = world.today
    accounts = ids.billed_accounts
    n_acc = len(accounts)
    n_prod = len(catalog.AWS_PRODUCTS)
    companies: dict[int, int] = {}
    account_company = np.array([companies.setdefault(c.key, len(companies)) for _, c in accounts], dtype=np.int64)
    company_objs = {}
    for _, c in accounts:
        company_objs.setdefault(c.key, c)
    size = np.array([c.size for _, c in accounts]) * rng.lognormal(0.0, 0.5, n_acc)

    weights = np.array([p.weight for p in catalog.AWS_PRODUCTS])
    gumbel = np.log(weights)[None, :] - np.log(-np.log(rng.random((n_acc, n_prod))))
    order = np.argsort(-gumbel, axis=1)  # preferred products per account, most likely first
    k_base = np.clip(np.round(rng.lognormal(np.log(2.4), 0.55, n_acc)), 1, n_prod).astype(np.int64)
    known = {a.number: a for c in world.companies for a in c.accounts}
    opened = np.array([month_index(known[n].opened, today) for n, _ in accounts], dtype=np.int64)
    closed = np.array([month_index(known[n].closed, today) if known[n].closed else -1 for n, _ in accounts],
                      dtype=np.int64)
    adopt = np.where(rng.random((n_acc, n_prod)) < 0.3, rng.integers(1, 9, (n_acc, n_prod)), 0)
    scale = np.array([p.scale for p in catalog.AWS_PRODUCTS])
    base = scale[None, :] * size[:, None] * rng.lognormal(0.0, 0.6, (n_acc, n_prod))
    growth = rng.normal(0.008, 0.02, (n_acc, n_prod))

    def layout(months: int, mult: int, dense: bool):
        k = np.minimum(n_prod, k_base * mult)
        if dense:  # benchmark volumes: every account billed over the whole window
            start, end = np.zeros(n_acc, dtype=np.int64), np.full(n_acc, months, dtype=np.int64)
        else:
            start = np.maximum(0, months - 1 - opened)
            end = np.where(closed >= 0, months - closed, months)
        take = np.arange(n_prod)[None, :] < k[:, None]
        acc_idx, rank = np.nonzero(take)
        prod = order[acc_idx, rank]
        s_start = np.minimum(start[acc_idx] + adopt[acc_idx, prod], months)
        s_end = end[acc_idx]
        return acc_idx, prod, s_start, s_end, int(np.sum(np.maximum(0, s_end - s_start)))

    months, mult, dense = DEFAULT_MONTHS, 1, False
    layout_now = layout(months, mult, dense)
    if target_rows:
        missing_rate = min(0.95, 0.01 * world.noise.level)
        need = int(target_rows / (1 - missing_rate)) + 100
        candidates = [(m, x, d) for d in (False, True) for m in range(DEFAULT_MONTHS, MAX_MONTHS + 1, 12)
                      for x in (1, 2, 3, 4, 6, 8, 12, 16, 24, 45)]
        for months, mult, dense in sorted(candidates, key=lambda c: (c[2], c[0], c[1])):
            layout_now = layout(months, mult, dense)
            if layout_now[4] >= need:
                break
    acc_idx, prod, s_start, s_end, _ = layout_now

    n_comp = len(companies)
    first = np.full(n_comp, months, dtype=np.int64)
    np.minimum.at(first, account_company[acc_idx], s_start)
    bill_id = np.zeros((n_comp, months), dtype=np.int64)
    counter = 0
    for m in range(months):  # month-major ids, as a monthly billing run creates them
        active = np.nonzero(first <= m)[0]
        bill_id[active, m] = np.arange(counter + 1, counter + 1 + len(active))
        counter += len(active)

    comp_list = sorted(companies, key=companies.get)
    currencies = [partner_company_of(company_objs[k].country.code).currency for k in comp_list]
    payers = np.array([ids.account.get(known[n].payer or "", 0) for n, _ in accounts], dtype=np.int64)
    return BillingPlan(
        seed=world.seed, today=today, months=months, noise=world.noise.level,
        periods=[add_months(today, m - (months - 1)) for m in range(months)],
        account_id=np.array([ids.account[n] for n, _ in accounts], dtype=np.int64),
        account_number=[n for n, _ in accounts], payer_id=payers, account_company=account_company,
        account_pod_from=_pod_months(world, accounts, months),
        company_partner=np.array([ids.company_partner[k] for k in comp_list], dtype=np.int64),
        company_odoo_company=np.array([partner_company_of(company_objs[k].country.code).key for k in comp_list]),
        company_currency=currencies,
        company_markup=rng.choice(np.array([0.0, 0.03, 0.05, 0.08, 0.10, -0.02]), n_comp,
                                  p=[0.25, 0.2, 0.25, 0.1, 0.1, 0.1]),
        bill_id=bill_id,
        series_account=acc_idx, series_product=prod, series_base=base[acc_idx, prod],
        series_growth=growth[acc_idx, prod], series_start=s_start, series_end=s_end,
        product_ids=np.array([ids.product[p.code] for p in catalog.AWS_PRODUCTS], dtype=np.int64),
        currency_ids=ids.currency, fx=fx,
    )


def _pod_months(world: World, accounts: list, months: int) -> np.ndarray:
    """First month index with a Partner Originated Discount: after a partner-originated deal on it launched."""
    launch: dict[str, date] = {}
    for deal in world.deals:
        if deal.category == LINKED and deal.origin == "partner" and deal.outcome == "won" and deal.account:
            prev = launch.get(deal.account.number)
            launch[deal.account.number] = min(prev, deal.close) if prev else deal.close
    out = np.full(len(accounts), months, dtype=np.int64)
    for i, (number, _) in enumerate(accounts):
        if number in launch:
            out[i] = max(0, months - 1 - month_index(launch[number], world.today) + 1)
    return out


# -- row text -----------------------------------------------------------------------------------------------------
_TIMES: list[str] = []


def _money(values: np.ndarray) -> list[str]:
    return list(map("{:.2f}".format, values.tolist()))


def _ints(values: np.ndarray) -> list[str]:
    return list(map(str, values.tolist()))


def _stamp(day: date, seconds: np.ndarray) -> list[str]:
    """'YYYY-MM-DD HH:MM:SS' strings for one day plus per-row seconds."""
    if not _TIMES:
        _TIMES.extend(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))
    prefix = day.isoformat()
    return [prefix + _TIMES[s] for s in seconds.tolist()]


def _month_costs(plan: BillingPlan, m: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """(series indices active in month m, their USD cost); identical in every pass."""
    rng = np.random.default_rng([plan.seed, 0xB1, m])
    jitter = rng.lognormal(0.0, 0.15, len(plan.series_base))
    spikes = np.where(rng.random(len(plan.series_base)) < 0.01, rng.uniform(2, 6, len(plan.series_base)), 1.0)
    active = np.nonzero((plan.series_start <= m) & (m < plan.series_end))[0]
    age = m - plan.series_start[active]
    cost = plan.series_base[active] * np.exp(plan.series_growth[active] * age) * jitter[active] * spikes[active]
    if m == plan.months - 1:  # the current month: month-to-date only
        period = plan.periods[m]
        cost = cost * (plan.today.day / calendar.monthrange(period.year, period.month)[1])
    cost = np.round(cost, 2)
    return active, cost, rng


def _chunks(index: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(index), CHUNK_ROWS):
        yield index[start:start + CHUNK_ROWS]


def cost_blocks(plan: BillingPlan) -> Iterator[list[list[str]]]:
    """c_billing_internal_cur as blocks of rendered COST_COLUMNS, month by month; fills plan.account_month_cost."""
    products = catalog.AWS_PRODUCTS
    codes = np.array([p.code for p in products], dtype=object)
    names = np.array([p.name for p in products], dtype=object)
    usage = np.array([p.usage_type for p in products], dtype=object)
    unit = np.array([p.unit_price for p in products])
    numbers = np.array(plan.account_number, dtype=object)
    usd = str(plan.currency_ids["USD"])
    plan.account_month_cost = np.zeros((len(plan.account_id), plan.months))
    next_id = 1
    for m in range(plan.months):
        active, cost, rng = _month_costs(plan, m)
        period = plan.periods[m]
        end = add_months(period, 1) - timedelta(days=1)
        imported = min(add_months(period, 1) + timedelta(days=2), plan.today)
        acc = plan.series_account[active]
        prod = plan.series_product[active]
        np.add.at(plan.account_month_cost[:, m], acc, cost)
        quantity = np.round(np.abs(cost) / unit[prod] * rng.uniform(0.97, 1.03, len(active)), 4)
        blended = np.round(cost * rng.uniform(0.98, 1.02, len(active)), 2)
        net = np.round(cost * (1 - np.where(rng.random(len(active)) < 0.2, rng.uniform(0.02, 0.3, len(active)), 0)),
                       2)
        seconds = rng.integers(0, 6 * 3600, len(active))
        item_type = np.where(rng.random(len(active)) < 0.1, "SavingsPlanCoveredUsage", "Usage").astype(object)
        stamps_all = _stamp(imported, seconds)
        period_s = period.isoformat()
        invoice_prefix = f"{period.year}{period.month:02d}"
        for part in _chunks(np.arange(len(active))):
            n = len(part)
            a, p = acc[part], prod[part]
            ids = np.arange(next_id, next_id + n)
            next_id += n
            stamps = [stamps_all[i] for i in part.tolist()]
            cols = [
                _ints(ids),
                [f"{period_s[:7]}/{num}/{code}" for num, code in zip(numbers[a].tolist(), codes[p].tolist())],
                [period_s] * n, [period_s] * n, [end.isoformat()] * n,
                _ints(plan.account_id[a]),
                [str(i) if i else r"\N" for i in plan.payer_id[a].tolist()],
                _ints(plan.product_ids[p]),
                codes[p].tolist(), names[p].tolist(), usage[p].tolist(), item_type[part].tolist(),
                list(map("{:.4f}".format, quantity[part].tolist())),
                _money(cost[part]), _money(blended[part]), _money(net[part]),
                [usd] * n,
                [invoice_prefix + num[-6:] for num in numbers[a].tolist()],
                _ints(plan.company_odoo_company[plan.account_company[a]]),
                [str(SYSTEM_UID)] * n, stamps, [str(SYSTEM_UID)] * n, stamps,
                numbers[a].tolist(),
            ]
            yield cols
    plan.cost_rows = next_id - 1


def line_blocks(plan: BillingPlan) -> Iterator[list[list[str]]]:
    """c_billing_bill_line as blocks of rendered LINE_COLUMNS; fills plan.bill_untaxed / plan.bill_cost."""
    products = catalog.AWS_PRODUCTS
    codes = np.array([p.code for p in products], dtype=object)
    names = np.array([p.name for p in products], dtype=object)
    unit = np.array([p.unit_price for p in products])
    n_bills = int(plan.bill_id.max()) if plan.bill_id.size else 0
    plan.bill_untaxed = np.zeros(n_bills + 1)
    plan.bill_cost = np.zeros(n_bills + 1)
    cur_index = np.array([{"USD": 0, "EUR": 1, "GBP": 2}[c] for c in plan.company_currency], dtype=np.int64)
    cur_ids = np.array([plan.currency_ids[c] for c in ("USD", "EUR", "GBP")], dtype=np.int64)
    noise = plan.noise
    next_id = 1
    for m in range(plan.months):
        active, cost, _ = _month_costs(plan, m)
        rng = np.random.default_rng([plan.seed, 0xB2, m])
        n_all = len(active)
        keep = rng.random(n_all) >= min(0.95, 0.01 * noise)  # some usage never invoiced
        dup = rng.random(n_all) < min(0.5, 0.002 * noise)  # some invoiced twice
        pick = np.concatenate([np.nonzero(keep)[0], np.nonzero(keep & dup)[0]])
        pick.sort(kind="stable")
        acc = plan.series_account[active][pick]
        prod = plan.series_product[active][pick]
        usd_cost = cost[pick]
        comp = plan.account_company[acc]
        rates = np.array([plan.fx.rate(c, plan.months - 1 - m) for c in ("USD", "EUR", "GBP")])
        markup = plan.company_markup[comp]
        adjust = np.where(rng.random(len(pick)) < min(0.5, 0.01 * noise), rng.uniform(0.5, 1.5, len(pick)), 1.0)
        amount = np.round(usd_cost * (1 + markup) * rates[cur_index[comp]] * adjust, 2)
        credit = rng.random(len(pick)) < min(0.2, 0.002 * noise)
        amount = np.where(credit, -amount, amount)
        quantity = np.round(np.maximum(np.abs(usd_cost) / unit[prod], 0.0001), 4)
        price_unit = np.round(amount / quantity, 6)
        bills = plan.bill_id[comp, m]
        np.add.at(plan.bill_untaxed, bills, amount)
        np.add.at(plan.bill_cost, bills, usd_cost)
        period = plan.periods[m]
        created = min(add_months(period, 1) + timedelta(days=3), plan.today)
        stamps_all = _stamp(created, rng.integers(6 * 3600, 8 * 3600, len(pick)))
        label = f"{period:%B %Y}"
        for part in _chunks(np.arange(len(pick))):
            n = len(part)
            a, p, c = acc[part], prod[part], comp[part]
            ids = np.arange(next_id, next_id + n)
            next_id += n
            stamps = [stamps_all[i] for i in part.tolist()]
            cols = [
                _ints(ids),
                _ints(bills[part]),
                _ints(plan.account_id[a]),
                _ints(plan.product_ids[p]),
                codes[p].tolist(), names[p].tolist(), [period.isoformat()] * n,
                [f"{name} - {label}" for name in names[p].tolist()],
                list(map("{:.4f}".format, quantity[part].tolist())),
                _money(usd_cost[part]),
                _money(markup[part] * 100),
                list(map("{:.6f}".format, price_unit[part].tolist())),
                _money(amount[part]),
                _ints(cur_ids[cur_index[c]]),
                _ints(plan.company_odoo_company[c]),
                [str(SYSTEM_UID)] * n, stamps, [str(SYSTEM_UID)] * n, stamps,
            ]
            yield cols
    plan.line_rows = next_id - 1


def spp_blocks(plan: BillingPlan) -> Iterator[list[list[str]]]:
    """c_billing_spp_bill (SPP_COLUMNS): SPP resale discount per account and month, plus POD after
    partner-originated launches."""
    rng = np.random.default_rng([plan.seed, 0xB4])
    usd = str(plan.currency_ids["USD"])
    next_id = 1
    numbers = plan.account_number
    for m in range(plan.months):
        period = plan.periods[m]
        cost = plan.account_month_cost[:, m]
        billed = np.nonzero(cost > 0)[0]
        pod = billed[plan.account_pod_from[billed] <= m]
        current = m == plan.months - 1
        created = min(add_months(period, 1) + timedelta(days=10), plan.today)
        for program, accounts in (("SPP", billed), ("POD", pod)):
            n = len(accounts)
            if not n:
                continue
            comp = plan.account_company[accounts]
            if program == "SPP":
                pct = np.array([SPP_PERCENT[plan.company_currency[c]] for c in comp.tolist()])
                pct = pct + rng.choice([0.0, 0.0, 0.5, -0.5], n)
                kind = "Resale discount"
            else:
                pct = np.full(n, POD_PERCENT)
                kind = "Partner Originated Discount"
            eligible = np.round(cost[accounts], 2)
            discount = np.round(eligible * pct / 100, 2)
            ids = np.arange(next_id, next_id + n)
            next_id += n
            stamps = _stamp(created, rng.integers(0, 86400, n))
            prefix, ref = f"{program}/{period:%Y-%m}/", f"{program}-{period:%Y%m}-"
            cols = [
                _ints(ids),
                [f"{prefix}{i:06d}" for i in ids.tolist()],
                _ints(plan.account_id[accounts]),
                [str(i) if i else r"\N" for i in plan.payer_id[accounts].tolist()],
                _ints(plan.company_partner[comp]),
                [period.isoformat()] * n, [program] * n, [kind] * n,
                _money(eligible), _money(pct), _money(discount), [usd] * n,
                ["draft" if current else "posted"] * n,
                [ref + numbers[i][-6:] for i in accounts.tolist()],
                _ints(plan.company_odoo_company[comp]),
                [str(SYSTEM_UID)] * n, stamps, [str(SYSTEM_UID)] * n, stamps,
            ]
            yield cols

