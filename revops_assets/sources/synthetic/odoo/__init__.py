"""Rows of the Odoo 17 database rendered from the deal universe.

Every table gets Odoo's audit columns; translated names are jsonb, descriptions html. `build_odoo` renders the
tables that fit in memory (reference data, customers, AWS accounts, crm_lead, sales); billing.py and bills.py stream
the billing tables using the id maps the context collects.
"""

from __future__ import annotations

from revops_assets.sources.synthetic.deals import World
from revops_assets.sources.synthetic.fx import FxTable
from revops_assets.sources.synthetic.odoo import customers, leads, reference, sales
from revops_assets.sources.synthetic.odoo.context import ADMIN_UID, SYSTEM_UID, OdooContext, OdooIds
from revops_assets.sources.synthetic.odoo.sales import sale_invoices


def build_odoo(world: World, fx: FxTable) -> OdooContext:
    """Render every in-memory Odoo table into `context.tables` (order matters: later steps use earlier ids)."""
    ctx = OdooContext(world, fx)
    for step in (reference.currencies, reference.countries, reference.industries, reference.partner_side,
                 reference.crm_config, reference.products, customers.customers, customers.aws_accounts,
                 customers.funding_requests, leads.leads, sales.sales):
        step(ctx)
    return ctx


__all__ = ["ADMIN_UID", "SYSTEM_UID", "OdooContext", "OdooIds", "build_odoo", "sale_invoices"]
