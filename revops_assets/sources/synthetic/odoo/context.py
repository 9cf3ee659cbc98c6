"""What every Odoo table renderer shares: the world, id maps filled as tables are rendered, and Odoo's row idioms.

Row ids are given while rendering (not by the sequences) so that foreign keys can be written directly; the loader
moves the sequences past them afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from revops_assets.sources.synthetic.companies import Company
from revops_assets.sources.synthetic.deals import World
from revops_assets.sources.synthetic.fx import FxTable

SYSTEM_UID = 1  # OdooBot / __system__: scheduled imports (billing) run as this user
ADMIN_UID = 2


def tr(en: str, fr: str | None = None) -> dict:
    """An Odoo translated value (jsonb)."""
    return {"en_US": en, "fr_FR": fr} if fr else {"en_US": en}


def audit(created: datetime, written: datetime | None = None, cuid: int = ADMIN_UID, wuid: int | None = None) -> dict:
    """Odoo's four audit columns."""
    return {"create_uid": cuid, "create_date": created, "write_uid": wuid or cuid, "write_date": written or created}


@dataclass
class OdooIds:
    """Id maps the billing streams need."""

    currency: dict[str, int] = field(default_factory=dict)
    company_partner: dict[int, int] = field(default_factory=dict)  # company key -> res_partner id
    account: dict[str, int] = field(default_factory=dict)  # AWS account number -> c_aws_accounts id
    product: dict[str, int] = field(default_factory=dict)  # product code -> product_template id
    variant: dict[str, int] = field(default_factory=dict)  # product code -> product_product id
    billed_accounts: list[tuple[str, Company]] = field(default_factory=list)  # resold accounts, grouped by company


@dataclass
class OdooContext:
    world: World
    fx: FxTable
    ids: OdooIds = field(default_factory=OdooIds)
    tables: dict[str, list[dict]] = field(default_factory=dict)  # rendered tables, in render order
    user_of_rep: dict[int, int] = field(default_factory=dict)  # rep key -> res_users id
    team_user: dict[int, int] = field(default_factory=dict)  # team index -> team leader's res_users id
    own_partner: dict[int, int] = field(default_factory=dict)  # res_company id -> its res_partner id
    country_id: dict[str, int] = field(default_factory=dict)
    state_id: dict[tuple[str, str], int] = field(default_factory=dict)
    industry_id: dict[str, int] = field(default_factory=dict)
    contact_ids: dict[int, list[int]] = field(default_factory=dict)  # company key -> contact partner ids
    duplicate_partner: dict[int, int] = field(default_factory=dict)  # company key -> duplicate res_partner id
    first_seen: dict[int, datetime] = field(default_factory=dict)  # company key -> first Odoo deal
    partner_name: dict[int, str] = field(default_factory=dict)  # res_partner id -> name
    funding_id: dict[int, int] = field(default_factory=dict)  # deal key -> c_aws_funding_request id
    sale_invoices_due: list[dict] = field(default_factory=list)  # confirmed sale orders to invoice

    @property
    def today(self):
        return self.world.today

    @property
    def now(self) -> datetime:
        return datetime.combine(self.world.today, datetime.min.time())

    @property
    def setup(self) -> datetime:
        """When the partner set Odoo up: configuration records date from here."""
        return datetime(self.world.today.year - 5, 1, 15, 9, 30)
