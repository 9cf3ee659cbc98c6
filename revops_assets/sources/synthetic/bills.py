"""Monthly AWS bills as Odoo records: c_billing_bill headers and the customer invoices (account_move and
account_move_line) they post.

There is one bill per billed customer and month, so benchmark volumes mean hundreds of thousands of them: they are
rendered straight to tuples of COPY-text values from the billing plan's arrays, never as dicts. Invoice numbers
continue the per-company, per-year sequences the sale-order invoices started.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.billing import BillingPlan
from revops_assets.sources.synthetic.fx import add_months
from revops_assets.sources.synthetic.loading import copy_value
from revops_assets.sources.synthetic.odoo.context import SYSTEM_UID

BILL_COLUMNS = ("id", "name", "partner_id", "company_id", "period", "bill_date", "due_date", "currency_id",
                "exchange_rate", "amount_untaxed", "amount_tax", "amount_total", "cost_total_usd", "state", "move_id",
                "create_uid", "create_date", "write_uid", "write_date")
MOVE_COLUMNS = ("id", "name", "date", "state", "move_type", "journal_id", "company_id", "currency_id", "partner_id",
                "commercial_partner_id", "payment_reference", "invoice_date", "invoice_date_due", "invoice_origin",
                "invoice_user_id", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
                "amount_untaxed_signed", "amount_tax_signed", "amount_total_signed",
                "amount_total_in_currency_signed", "amount_residual_signed", "payment_state",
                "invoice_partner_display_name", "sequence_prefix", "sequence_number", "is_move_sent", "auto_post",
                "create_uid", "create_date", "write_uid", "write_date")
MOVE_LINE_COLUMNS = ("id", "move_id", "move_name", "date", "parent_state", "journal_id", "company_id",
                     "company_currency_id", "account_id", "sequence", "name", "quantity", "price_unit", "discount",
                     "debit", "credit", "balance", "amount_currency", "price_subtotal", "price_total", "currency_id",
                     "partner_id", "product_id", "display_type", "date_maturity", "reconciled", "amount_residual",
                     "amount_residual_currency", "create_uid", "create_date", "write_uid", "write_date")


@dataclass
class Bill:
    id: int
    company: int  # index into the plan's billed companies
    month: int  # index into plan.periods
    period: date
    state: str  # draft | validated | invoiced
    untaxed: float
    tax: float
    cost_usd: float
    bill_date: date | None
    created: datetime
    written: datetime
    move_id: int | None
    move_name: str | None
    sequence: int | None
    paid: bool

    @property
    def total(self) -> float:
        return round(self.untaxed + self.tax, 2)


def bill_book(plan: BillingPlan, next_move_id: int, sequences: dict[tuple[int, int], int]) -> list[Bill]:
    """Every bill in id order, with its invoice's id and number; `sequences` is advanced in place."""
    rng = np.random.default_rng([plan.seed, 0xB3])
    comp_idx, month_idx = np.nonzero(plan.bill_id)
    order = np.argsort(plan.bill_id[comp_idx, month_idx], kind="stable")
    comp_idx, month_idx = comp_idx[order], month_idx[order]
    validated = rng.random(len(order)) < 0.03
    paid_draw = rng.random(len(order)) < 0.9
    hours = rng.integers(6, 20, len(order))
    midnight = datetime.combine(plan.today, datetime.min.time())
    bill_dates = [add_months(p, 1) + timedelta(days=4) for p in plan.periods]
    created_at = [datetime.combine(min(add_months(p, 1) + timedelta(days=3), plan.today), datetime.min.time())
                  for p in plan.periods]
    latest = midnight - timedelta(minutes=1)
    untaxed_all = np.round(plan.bill_untaxed, 2).tolist()
    cost_all = np.round(plan.bill_cost, 2).tolist()
    bill_ids = plan.bill_id[comp_idx, month_idx].tolist()
    odoo_company = plan.company_odoo_company.tolist()
    tax_rate = [catalog.PARTNER_VAT[c] for c in plan.company_currency]
    bills = []
    for i, (bid, c, m) in enumerate(zip(bill_ids, comp_idx.tolist(), month_idx.tolist())):
        current = m == plan.months - 1
        state = "draft" if current else "validated" if validated[i] else "invoiced"
        bill_date = None if current else bill_dates[m]
        untaxed = untaxed_all[bid]
        created = created_at[m]
        move_id = move_name = number = None
        paid = False
        if state != "draft":
            move_id = next_move_id
            next_move_id += 1
            if state == "invoiced":
                key = (odoo_company[c], bill_date.year)
                number = sequences[key] = sequences.get(key, 0) + 1
                move_name = f"INV/{bill_date.year}/{number:05d}"
                paid = (plan.today - bill_date).days > 45 and bool(paid_draw[i])
        written = created + (timedelta(days=int(hours[i])) if paid else timedelta(hours=int(hours[i])))
        bills.append(Bill(bid, c, m, plan.periods[m], state, untaxed, round(untaxed * tax_rate[c], 2), cost_all[bid],
                          bill_date, created, min(written, latest), move_id, move_name, number, paid))
    return bills


def _n(value) -> str:
    return r"\N" if value is None else str(value)


def _money(value: float) -> str:
    return f"{value:.2f}"


def _per_company(plan: BillingPlan) -> tuple[list[str], list[str], list[str]]:
    """(res_partner id, res_company id, currency id) of each billed company, as text."""
    return ([str(p) for p in plan.company_partner.tolist()], [str(c) for c in plan.company_odoo_company.tolist()],
            [str(plan.currency_ids[c]) for c in plan.company_currency])


def bill_rows(plan: BillingPlan, bills: list[Bill]) -> Iterator[tuple[str, ...]]:
    """c_billing_bill rows (BILL_COLUMNS)."""
    partners, companies, currencies = _per_company(plan)
    for b in bills:
        rate = plan.fx.rate(plan.company_currency[b.company], plan.months - 1 - b.month)
        yield (
            str(b.id), f"BILL/{b.period.year}/{b.period.month:02d}/{b.id:06d}",
            partners[b.company], companies[b.company], b.period.isoformat(),
            _n(b.bill_date), _n(b.bill_date and b.bill_date + timedelta(days=30)),
            currencies[b.company], f"{rate:.6f}", _money(b.untaxed), _money(b.tax), _money(b.total),
            _money(b.cost_usd), b.state, _n(b.move_id), str(SYSTEM_UID), str(b.created), str(SYSTEM_UID),
            str(b.written),
        )


def move_rows(plan: BillingPlan, bills: list[Bill], partner_names: dict[int, str]) -> Iterator[tuple[str, ...]]:
    """account_move rows (MOVE_COLUMNS) of the bills that were invoiced."""
    partners, companies, currencies = _per_company(plan)
    names = [copy_value(partner_names.get(p)) for p in plan.company_partner.tolist()]
    for b in bills:
        if b.move_id is None:
            continue
        currency, company, partner = currencies[b.company], companies[b.company], partners[b.company]
        posted = b.state == "invoiced"
        residual = 0.0 if b.paid else b.total
        prefix = f"INV/{b.bill_date.year}/"
        yield (
            str(b.move_id), b.move_name or "/", b.bill_date.isoformat(), "posted" if posted else "draft",
            "out_invoice" if b.untaxed >= 0 else "out_refund", company, company, currency, partner,
            partner, _n(b.move_name), b.bill_date.isoformat(), (b.bill_date + timedelta(days=30)).isoformat(),
            f"BILL/{b.period.year}/{b.period.month:02d}/{b.id:06d}", str(SYSTEM_UID), _money(b.untaxed),
            _money(b.tax), _money(b.total), _money(residual), _money(b.untaxed), _money(b.tax), _money(b.total),
            _money(b.total), _money(residual), "paid" if b.paid else "not_paid",
            names[b.company], prefix, _n(b.sequence), "t" if posted else "f",
            "no", str(SYSTEM_UID), str(b.created), str(SYSTEM_UID), str(b.written),
        )


def move_line_rows(plan: BillingPlan, bills: list[Bill], next_line_id: int,
                   product_id: int) -> Iterator[tuple[str, ...]]:
    """Per invoice: the AWS usage line, a tax line when taxed, and the receivable (payment term) line."""
    partners, companies, currencies = _per_company(plan)
    line_id = next_line_id
    for b in bills:
        if b.move_id is None:
            continue
        currency, company, partner = currencies[b.company], companies[b.company], partners[b.company]
        state = "posted" if b.state == "invoiced" else "draft"
        due = (b.bill_date + timedelta(days=30)).isoformat()
        audit = (str(SYSTEM_UID), str(b.created), str(SYSTEM_UID), str(b.written))
        parts = [("product", 700, f"AWS usage {b.period:%B %Y}", 0.0, b.untaxed, str(product_id))]
        if b.tax:
            parts.append(("tax", 445, "Tax", 0.0, b.tax, r"\N"))
        parts.append(("payment_term", 411, b.move_name or "/", b.total, 0.0, r"\N"))
        for seq, (display, account, name, debit, credit, product) in enumerate(parts, start=1):
            balance = _money(round(debit - credit, 2))
            is_product = display == "product"
            residual = _money(b.total if display == "payment_term" and not b.paid else 0.0)
            yield (
                str(line_id), str(b.move_id), b.move_name or "/", b.bill_date.isoformat(), state, company, company,
                currency, str(account), str(seq * 10), name, "1" if is_product else r"\N",
                _money(b.untaxed) if is_product else r"\N", "0", _money(debit), _money(credit), balance, balance,
                _money(b.untaxed) if is_product else r"\N", _money(b.total) if is_product else r"\N", currency,
                partner, product, display, due if display == "payment_term" else r"\N", "t" if b.paid else "f",
                residual, residual, *audit,
            )
            line_id += 1

