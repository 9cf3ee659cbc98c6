"""Package list only (everything else is in pyproject.toml): the code, plus the top-level sql/ and data/ folders
shipped as package data so a non-editable install finds them (revops_assets.settings.sql_dir / data_dir)."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["revops_assets", "revops_assets.*"]) + ["revops_assets.sql", "revops_assets.data"])
