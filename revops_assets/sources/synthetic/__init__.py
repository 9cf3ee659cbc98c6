"""Synthetic source databases: an Odoo 17 CRM of an AWS partner and its APN (ACE sync) database, built with seeded,
realistic noise, plus the ground truth of which ACE opportunity is which Odoo opportunity (kept outside both).

Entry point: `seed_sources(odoo_dsn, apn_dsn, truth_dir, scale=..., seed=..., noise=..., billing_rows=...,
profile=...)`; the schema profiles are declared in profiles.py (docs/synthetic_sources.md).
"""

from revops_assets.sources.synthetic.generator import REFERENCE_DATE, TRUTH_FILE, SeedReport, seed_sources

__all__ = ["REFERENCE_DATE", "TRUTH_FILE", "SeedReport", "seed_sources"]
