"""`revops doctor`: what the product finds in your source databases, before anything runs.

Connects to each source system of the catalog (read-only), and prints per catalog table whether it is there, its
rows and the cursor an incremental sync would use; per canonical field of the mapping (data/mappings/*.yaml plus
your override file), the column it was found in (and how: exact name, alias, custom prefix, override), how often it
is filled, and what is missing and what that degrades. Exits non-zero when a required field or table is missing
(with the line to add to the override file) or a source cannot be reached.
"""

from __future__ import annotations

import argparse
import os

from revops_assets import settings
from revops_assets.cli.errors import CliError


def source_dsn(source: str) -> str | None:
    """A source system's DSN: <SOURCE>_DSN (ODOO_DSN, APN_DSN, ...) from the environment or the embedded server."""
    name = f"{source.upper()}_DSN"
    if os.environ.get(name):
        return os.environ[name]
    conns = settings.connections()
    return {"odoo": conns.odoo_dsn, "apn": conns.apn_dsn}.get(source)


def catalog_by_source() -> dict[str, tuple[str, list]]:
    """source -> (schema, catalog entries)."""
    from revops_assets.sources.catalog import source_tables

    out: dict[str, tuple[str, list]] = {}
    for entry in source_tables():
        out.setdefault(entry.source, (entry.schema_name, []))[1].append(entry)
    return out


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share:>4.0%}"


def format_source(report, mapping, describe_dsn: str, verbose: bool = False) -> list[str]:
    from revops_assets.core.mapping.sources import describe

    lines = [f"== {report.source}: {describe_dsn}, schema {report.schema} =="]
    present = [t for t in report.tables if t.present]
    missing = [t for t in report.tables if not t.present]
    lines.append(f"catalog tables: {len(present)} present, {len(missing)} missing")
    for t in report.tables:
        if not t.present:
            lines.append(f"  {t.table:<30} MISSING (raw skips it; entities on it degrade)")
            continue
        rows = f"{'~' if t.rows_estimated else ''}{t.rows:,}"
        cursor = f"cursor {t.cursor}" if t.cursor else "no cursor"
        note = "" if t.cursor_note == "catalog" else f" [{t.cursor_note}]"
        key = f"; key columns missing: {', '.join(t.missing_key_columns)}" if t.missing_key_columns else ""
        lines.append(f"  {t.table:<30} {rows:>12} rows  {cursor}{note}{key}")
    lines.append("mapping:")
    for name, res in report.entities.items():
        used = sum(1 for f in res.fields.values() if f.column)
        if not res.present:
            kind = "REQUIRED table" if res.entity.spec.required else "optional table"
            lines.append(f"  {name:<22} <- {res.table}: MISSING ({kind}; {len(res.fields)} fields read as NULL)")
            continue
        lines.append(f"  {name:<22} <- {res.table} ({len(res.columns)} columns, {used} mapped, "
                     f"{len(res.columns) - used} not used)")
        fill = report.fill.get(name, {})
        for field_name, f in res.fields.items():
            quiet = f.found and f.how == "exact" and not f.note and not verbose
            if quiet:
                continue
            status = describe(f, res) if f.found else _missing_text(f, res)
            lines.append(f"    {field_name:<28} {_pct(fill.get(field_name)):>4}  {status}")
        exact = [(n, f.column) for n, f in res.fields.items() if f.found and f.how == "exact" and not f.note]
        if exact and not verbose:
            filled = ", ".join(f"{n if n == c else f'{n}={c}'} {_pct(fill.get(n)).strip()}".strip() for n, c in exact)
            lines.append(f"    by exact name: {filled}")
    return lines


def _missing_text(f, res) -> str:
    from revops_assets.core.mapping.sources import describe

    text = describe(f, res)
    if f.degraded and not f.spec.required:
        text += " -> rows flagged, warning check"
    if f.degraded and f.spec.required:
        text = "MISSING REQUIRED: tried " + ", ".join(f.tried)
    return text


def cmd_doctor(args: argparse.Namespace) -> None:
    from revops_assets.core.mapping import load_mapping
    from revops_assets.core.mapping.inspect import inspect_source
    from revops_assets.core.mapping.sources import required_problems
    from revops_assets.resources.postgres import DatabaseConnectionError, connect, describe_dsn

    mapping = load_mapping()
    print(f"revops doctor: mapping {', '.join(sorted({str(e.file.name) for e in mapping.entities.values()}))}; "
          f"overrides {mapping.overrides.path}{'' if mapping.overrides.exists else ' (none)'}")
    catalog = catalog_by_source()
    systems = sorted(set(catalog) | {e.system for e in mapping.entities.values()})
    failures: list[str] = []
    degraded_total = 0
    for source in systems:
        schema, entries = catalog.get(source, ("public", []))
        if args.source and source not in args.source:
            continue
        dsn = source_dsn(source)
        print()
        if not dsn:
            failures.append(f"{source}: no DSN ({source.upper()}_DSN is not set)")
            print(f"== {source}: no DSN ({source.upper()}_DSN is not set) ==")
            continue
        try:
            conn = connect(dsn, name=f"{source} source", read_only=True, application_name="revops-doctor")
        except DatabaseConnectionError as err:
            failures.append(str(err))
            print(f"== {source}: {err} ==")
            continue
        try:
            with conn:
                report = inspect_source(conn, mapping, source, schema, entries, counts=not args.no_counts)
        finally:
            conn.close()
        for line in format_source(report, mapping, describe_dsn(dsn), verbose=args.verbose):
            print(line)
        degraded = [f.ref for r in report.entities.values() for f in r.degraded_fields()]
        degraded += [f"{r.name} (table {r.table})" for r in report.entities.values() if not r.present]
        degraded_total += len(degraded)
        if degraded:
            print(f"degrades ({len(degraded)}): {', '.join(degraded)}")
        failures.extend(required_problems(mapping, report.entities.values()))
    print()
    if failures:
        for problem in failures:
            print(f"PROBLEM: {problem}")
        raise CliError(f"{len(failures)} problem(s): required source fields or tables missing, or a source unreachable")
    print(f"OK: every required field found; {degraded_total} optional field(s)/table(s) degrade (read as NULL, flagged)")


def register(sub) -> None:
    doctor = sub.add_parser("doctor", help="check the source databases against the catalog and the field mapping")
    doctor.add_argument("--source", action="append", help="only this source system (repeatable)")
    doctor.add_argument("--no-counts", action="store_true", help="skip row fill rates (one scan per table)")
    doctor.add_argument("--verbose", "-v", action="store_true", help="one line per field, exact names included")
    doctor.set_defaults(func=cmd_doctor)
