"""Pure normalization of source values for the core layer: company names, web domains, HTML, Odoo translated
names, ACE picklists and countries, currencies, AWS account ids, and the texts the search layer embeds.

No Dagster and no database here: every function is total (odd input gives an empty/None result, never an
exception), fast enough for batches of 10^5 rows (compiled patterns, reference data read once from data/),
and unit-tested in revops_assets_tests/test_normalize.py.
"""

from revops_assets.core.normalize.ace_picklists import (
    PICKLIST_FIELDS,
    canonical_values,
    country_name,
    normalize_ace_closed_lost_reason,
    normalize_ace_delivery_model,
    normalize_ace_industry,
    normalize_ace_opportunity_type,
    normalize_ace_origin,
    normalize_ace_picklist,
    normalize_ace_stage,
    normalize_ace_status,
    normalize_ace_use_case,
    normalize_country,
    picklist_key,
)
from revops_assets.core.normalize.companies import company_key, normalize_company_name
from revops_assets.core.normalize.dates import sanitize_date
from revops_assets.core.normalize.domains import company_domain, extract_domain, is_free_mail_domain
from revops_assets.core.normalize.identifiers import is_valid_aws_account_id, normalize_aws_account_id, parse_odoo_id
from revops_assets.core.normalize.money import rebase_rates, sanitize_amount, to_usd
from revops_assets.core.normalize.text import (
    DESCRIPTION_MAX_CHARS,
    clean_multiline,
    clean_text,
    content_hash,
    context_text,
    fold,
    html_to_text,
    identity_text,
    translated_name,
)

__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "PICKLIST_FIELDS",
    "canonical_values",
    "clean_multiline",
    "clean_text",
    "company_domain",
    "company_key",
    "content_hash",
    "context_text",
    "country_name",
    "extract_domain",
    "fold",
    "html_to_text",
    "identity_text",
    "is_free_mail_domain",
    "is_valid_aws_account_id",
    "normalize_ace_closed_lost_reason",
    "normalize_ace_delivery_model",
    "normalize_ace_industry",
    "normalize_ace_opportunity_type",
    "normalize_ace_origin",
    "normalize_ace_picklist",
    "normalize_ace_stage",
    "normalize_ace_status",
    "normalize_ace_use_case",
    "normalize_aws_account_id",
    "parse_odoo_id",
    "normalize_company_name",
    "normalize_country",
    "picklist_key",
    "rebase_rates",
    "sanitize_amount",
    "sanitize_date",
    "to_usd",
    "translated_name",
]
