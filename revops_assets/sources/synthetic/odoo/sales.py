"""Sale orders, delivery projects and the sale-order invoices (account_move / account_move_line).

The invoice numbers reached here per company and year are handed on, so the monthly AWS bill invoices (bills.py)
continue the same sequences.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.deals import ODOO_DUPLICATE, ODOO_LEAD, Deal, odoo_created, partner_company_of
from revops_assets.sources.synthetic.odoo.context import OdooContext, audit, tr

_KIND_SERVICE = {"migration": "SRV-MIG", "sap": "SRV-MIG", "data": "SRV-DATA", "ml": "SRV-ML",
                 "containers": "SRV-MIG", "security": "SRV-LZ", "backup": "SRV-MIG", "euc": "SRV-MIG",
                 "contact": "SRV-MIG", "managed": "SRV-MSP", "iot": "SRV-DATA", "web": "SRV-MIG"}
_PLAIN_PRODUCT = {"Microsoft 365 licence renewal": "LIC-M365", "On-site IT support contract": "SRV-SUP",
                  "Training: Agile for managers": "SRV-TRAIN"}


def sales(ctx: OdooContext) -> None:
    orders, lines, projects = [], [], []
    for deal in ctx.world.odoo_deals:
        if deal.category in (ODOO_LEAD, ODOO_DUPLICATE):
            continue
        r = random.Random(f"{ctx.world.seed}:odoo:sale:{deal.key}")
        quote = deal.outcome == "open" and deal.progress > 0.6 and r.random() < 0.4
        if not (deal.outcome == "won" and r.random() < 0.85) and not quote:
            continue
        _sale_order(ctx, r, deal, orders, lines, projects)
    ctx.tables["sale_order"] = orders
    ctx.tables["sale_order_line"] = lines
    ctx.tables["project_project"] = projects


def _sale_order(ctx: OdooContext, r: random.Random, deal: Deal, orders: list, lines: list, projects: list) -> None:
    company = deal.company
    pc = partner_company_of(company.country.code)
    cur_id = ctx.ids.currency[pc.currency]
    oid = len(orders) + 1
    lead_created = odoo_created(deal, ctx.today)
    if deal.outcome == "won":
        state = "sale"
        ordered = datetime.combine(deal.close, datetime.min.time()) + timedelta(hours=r.randint(8, 18))
    else:
        state = r.choice(("draft", "sent"))
        ordered = lead_created + (ctx.now - lead_created) * r.uniform(0.5, 0.95)
    ordered = max(lead_created + timedelta(hours=1), min(ordered, ctx.now - timedelta(hours=1)))
    uid = ctx.user_of_rep[deal.rep.key]
    partner_id = ctx.ids.company_partner[company.key]
    rate = ctx.fx.on(pc.currency, ordered.date())
    items = []
    if deal.kind is not None:
        code = _KIND_SERVICE[deal.kind.key]
        price = next(p for c, _, _, p in catalog.SERVICE_PRODUCTS if c == code)
        items.append((code, r.choice((5, 10, 20, 40, 60)) if code not in ("SRV-MSP",) else 12, price * rate))
        if r.random() < 0.5:
            items.append(("AWS-RESALE", 12, round(deal.monthly_usd * rate, 2)))
        if r.random() < 0.2:
            items.append(("SRV-WAR", 1, 4800 * rate))
    else:
        code = _PLAIN_PRODUCT.get(deal.workload, "SRV-SUP")
        items.append((code, r.choice((1, 5, 25, 100)), next(p for c, _, _, p in catalog.SERVICE_PRODUCTS
                                                              if c == code) * rate))
    tax_rate = catalog.PARTNER_VAT[pc.currency]
    untaxed = 0.0
    first_line = None
    for seq, (code, qty, price) in enumerate(items, start=1):
        lid = len(lines) + 1
        first_line = first_line or lid
        price = round(price, 2)
        discount = r.choice((0, 0, 0, 5, 10))
        subtotal = round(qty * price * (1 - discount / 100), 2)
        tax = round(subtotal * tax_rate, 2)
        untaxed += subtotal
        invoiced = qty if state == "sale" else 0
        lines.append({
            "id": lid, "order_id": oid, "sequence": seq * 10, "company_id": pc.key, "currency_id": cur_id,
            "order_partner_id": partner_id, "salesman_id": uid, "state": state, "display_type": None,
            "name": next(n for c, n, _, _ in catalog.SERVICE_PRODUCTS if c == code),
            "product_id": ctx.ids.variant[code], "product_uom_qty": qty, "product_uom": 1, "price_unit": price,
            "discount": discount, "price_subtotal": subtotal, "price_tax": tax, "price_total": subtotal + tax,
            "price_reduce_taxexcl": round(subtotal / qty, 2), "qty_delivered": invoiced,
            "qty_invoiced": invoiced, "qty_to_invoice": 0, "untaxed_amount_invoiced": subtotal if invoiced else 0,
            "untaxed_amount_to_invoice": 0 if invoiced else subtotal,
            "invoice_status": "invoiced" if invoiced else "no", "customer_lead": 0.0, "is_downpayment": False,
            "is_expense": False, **audit(ordered, ordered + timedelta(minutes=5), cuid=uid),
        })
    untaxed = round(untaxed, 2)
    tax_total = round(untaxed * tax_rate, 2)
    written = min(ctx.now - timedelta(minutes=1), ordered + timedelta(days=r.uniform(0, 30)))
    orders.append({
        "id": oid, "name": f"S{oid:05d}", "origin": None, "client_order_ref": None, "reference": None,
        "state": state, "date_order": ordered, "validity_date": ordered.date() + timedelta(days=30),
        "require_signature": True, "require_payment": False, "user_id": uid, "partner_id": partner_id,
        "partner_invoice_id": partner_id, "partner_shipping_id": partner_id, "pricelist_id": None,
        "currency_id": cur_id, "analytic_account_id": None,
        "invoice_status": "invoiced" if state == "sale" else "no", "note": None, "amount_untaxed": untaxed,
        "amount_tax": tax_total, "amount_total": round(untaxed + tax_total, 2), "currency_rate": round(rate, 6),
        "payment_term_id": None, "fiscal_position_id": None, "company_id": pc.key,
        "team_id": deal.rep.team + 1, "signed_by": deal.contact.name if state == "sale" else None,
        "signed_on": ordered if state == "sale" else None, "commitment_date": None,
        "opportunity_id": deal.odoo_id, "source_id": None, "medium_id": None, "campaign_id": None,
        "journal_id": 1, "locked": False, **audit(ordered, written, cuid=uid),
    })
    if state == "sale":
        ctx.sale_invoices_due.append({"order": orders[-1], "deal": deal, "untaxed": untaxed, "tax": tax_total,
                                   "currency": pc.currency, "company": pc.key, "partner": partner_id,
                                   "user": uid, "date": ordered.date()})
        if deal.kind is not None and r.random() < 0.7:
            start = ordered.date() + timedelta(days=r.randint(3, 30))
            projects.append({
                "id": len(projects) + 1, "name": tr(f"{company.base} - {deal.odoo_title}"),
                "description": "<p>" + " ".join(deal.needs) + "</p>" if r.random() < 0.5 else None,
                "active": r.random() < 0.9, "sequence": 10, "partner_id": partner_id, "company_id": pc.key,
                "user_id": uid, "analytic_account_id": None, "sale_line_id": first_line, "date_start": start,
                "date": start + timedelta(days=r.randint(60, 270)),
                "privacy_visibility": r.choice(("portal", "employees", "followers")), "allow_timesheets": True,
                "allow_billable": True, "color": 0, "stage_id": 1,
                "last_update_status": r.choice(("on_track", "at_risk", "off_track", "to_define", "done")),
                "label_tasks": tr("Tasks", "Tâches"), "allocated_hours": float(r.choice((40, 80, 160, 400))),
                **audit(ordered + timedelta(days=1), written, cuid=uid),
            })


def sale_invoices(ctx: OdooContext) -> tuple[list[dict], list[dict], dict[tuple[int, int], int]]:
    """account_move + account_move_line of the won sale orders, and the invoice number reached per
    (company, year) so that the monthly AWS bills (bills.py) continue the same sequences."""
    moves, move_lines = [], []
    sequences: dict[tuple[int, int], int] = {}
    for inv in ctx.sale_invoices_due:
        r = random.Random(f"{ctx.world.seed}:odoo:invoice:{inv['order']['id']}")
        day = min(inv["date"] + timedelta(days=r.randint(0, 20)), ctx.today - timedelta(days=1))
        _move(ctx, r, moves, move_lines, sequences, day, inv["untaxed"], inv["tax"], inv["currency"],
                   inv["company"], inv["partner"], inv["user"], inv["order"]["name"],
                   ctx.ids.variant["SRV-MIG"], "Services")
    return moves, move_lines, sequences


def _move(ctx: OdooContext, r: random.Random, moves: list, lines: list, seqs: dict, day: date, untaxed: float,
          tax: float, currency: str, company_id: int, partner_id: int, user_id: int, origin: str, product_id: int,
          label: str, posted: bool = True) -> int:
    mid = len(moves) + 1
    key = (company_id, day.year)
    seqs[key] = seqs.get(key, 0) + 1
    number = seqs[key]
    total = round(untaxed + tax, 2)
    paid = posted and (ctx.today - day).days > 45 and r.random() < 0.9
    created = datetime.combine(day, datetime.min.time()) + timedelta(hours=r.randint(6, 20))
    written = min(ctx.now - timedelta(minutes=1), created + timedelta(days=r.uniform(0, 60) if paid else 0.1))
    written = max(written, created)
    prefix = f"INV/{day.year}/"
    cur_id = ctx.ids.currency[currency]
    moves.append({
        "id": mid, "name": f"{prefix}{number:05d}" if posted else "/", "ref": None, "date": day,
        "state": "posted" if posted else "draft", "move_type": "out_invoice" if untaxed >= 0 else "out_refund",
        "journal_id": company_id, "company_id": company_id, "currency_id": cur_id, "partner_id": partner_id,
        "commercial_partner_id": partner_id, "fiscal_position_id": None, "payment_reference": f"{prefix}{number:05d}",
        "invoice_date": day, "invoice_date_due": day + timedelta(days=30), "invoice_origin": origin,
        "invoice_user_id": user_id, "team_id": None, "amount_untaxed": untaxed, "amount_tax": tax,
        "amount_total": total, "amount_residual": 0.0 if paid else total, "amount_untaxed_signed": untaxed,
        "amount_tax_signed": tax, "amount_total_signed": total, "amount_total_in_currency_signed": total,
        "amount_residual_signed": 0.0 if paid else total,
        "payment_state": ("paid" if paid else "not_paid") if posted else "not_paid", "narration": None,
        "invoice_partner_display_name": ctx.partner_name.get(partner_id), "sequence_prefix": prefix,
        "sequence_number": number, "is_move_sent": posted, "auto_post": "no",
        **audit(created, written, cuid=user_id),
    })
    base = {"move_id": mid, "move_name": moves[-1]["name"], "date": day, "ref": None,
            "parent_state": moves[-1]["state"], "journal_id": company_id, "company_id": company_id,
            "company_currency_id": cur_id, "currency_id": cur_id, "partner_id": partner_id,
            "product_uom_id": None, "date_maturity": None, "reconciled": paid, "discount": 0,
            **audit(created, written, cuid=user_id)}
    for seq, (name, display, account, debit, credit, product) in enumerate((
        (label, "product", 700, 0.0, untaxed, product_id),
        ("Tax", "tax", 445, 0.0, tax, None),
        (moves[-1]["name"], "payment_term", 411, total, 0.0, None),
    ), start=1):
        if display == "tax" and not tax:
            continue
        balance = round(debit - credit, 2)
        lines.append({**base, "id": len(lines) + 1, "account_id": account, "sequence": seq * 10, "name": name,
                      "quantity": 1 if display == "product" else None,
                      "price_unit": untaxed if display == "product" else None,
                      "debit": debit, "credit": credit, "balance": balance, "amount_currency": balance,
                      "price_subtotal": untaxed if display == "product" else None,
                      "price_total": total if display == "product" else None,
                      "product_id": product, "display_type": display,
                      "date_maturity": day + timedelta(days=30) if display == "payment_term" else None,
                      "amount_residual": 0.0 if paid or display != "payment_term" else total,
                      "amount_residual_currency": 0.0 if paid or display != "payment_term" else total})
    return mid
