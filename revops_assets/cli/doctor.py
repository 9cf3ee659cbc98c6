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
import textwrap

from revops_assets import settings
from revops_assets.cli.errors import CliError


def dsn_variable(source: str, entries: list) -> str:
    """The variable holding a source's DSN: the catalog's `dsn_env` where it declares one, else <SOURCE>_DSN."""
    declared = next((getattr(e, "dsn_env", None) for e in entries if getattr(e, "dsn_env", None)), None)
    return declared or f"{source.upper()}_DSN"


def source_dsn(source: str, entries: list) -> str | None:
    """A source system's DSN: from its variable (ODOO_DSN, APN_DSN, ...), else the embedded server's database."""
    name = dsn_variable(source, entries)
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


def format_source(report, describe_dsn: str, verbose: bool = False) -> list[str]:
    """Compact by default: tables in a few lines; per entity only the fields found other than by exact name,
    missing or standing in (the rest as a list); `verbose` gives one line per table and per field."""
    lines = [f"== {report.source}: {describe_dsn}, schema {report.schema} =="]
    present = [t for t in report.tables if t.present]
    lines.append(f"catalog: {len(present)} of {len(report.tables)} tables present")
    for t in report.tables:
        if not t.present:
            lines.append(f"  MISSING {t.table}: raw skips it; mapped entities on it read as NULL")
        elif verbose or t.cursor_note != "catalog" or t.missing_key_columns:
            cursor = f"cursor {t.cursor}" if t.cursor else "no cursor"
            note = "" if t.cursor_note == "catalog" else f" [{t.cursor_note}]"
            key = f"; key columns missing: {', '.join(t.missing_key_columns)}" if t.missing_key_columns else ""
            lines.append(f"  {t.table:<30} {_rows(t):>12} rows  {cursor}{note}{key}")
    listing = ", ".join(f"{t.table} {_rows(t)}" for t in present if t.cursor_note == "catalog")
    if listing and not verbose:
        lines.extend(textwrap.wrap(f"rows (cursor as in the catalog): {listing}", width=116,
                                   initial_indent="  ", subsequent_indent="    "))
    lines.append("mapping (field, filled, found in):")
    unmirrored = {r.name for r in report.not_mirrored()}
    for name, res in report.entities.items():
        if name in unmirrored:
            lines.append(f"  NOT MIRRORED {name} <- {res.source_table}: not in the source catalog, raw never copies it;")
            lines.append(f"    add a catalog line for it (data/source_catalog.yaml) or core reads it as missing")
        if not res.present:
            kind = "REQUIRED table" if res.entity.spec.required else "optional table"
            lines.append(f"  {name} <- {res.table}: MISSING ({kind}; its {len(res.fields)} fields read as NULL)")
            continue
        fill = report.fill.get(name, {})
        plain = [(n, f) for n, f in res.fields.items()
                 if not verbose and ((f.found and f.how == "exact" and not f.note) or f.covered_by)]
        notable = [(n, f) for n, f in res.fields.items() if (n, f) not in plain]
        used = sum(1 for f in res.fields.values() if f.column)
        exact = ", ".join(n if n == f.column else f"{n}={f.column}" for n, f in plain if f.found)
        header = f"  {name} <- {res.table} ({len(res.columns)} columns, {used} mapped)"
        lines.extend(textwrap.wrap(f"{header}: exact {exact}" if exact else header, width=116,
                                   subsequent_indent="      "))
        for field_name, f in notable:
            lines.append(f"    {field_name:<28} {_pct(fill.get(field_name)):>4}  {_status(f, res)}")
        covered = [f"{n} ({f.covered_by.rpartition('.')[2]} found)" for n, f in plain if f.covered_by]
        if covered:
            lines.extend(textwrap.wrap(f"alternatives not needed: {', '.join(covered)}", width=116,
                                       initial_indent="    ", subsequent_indent="      "))
    return lines


def _status(f, res) -> str:
    """Where a field was found (column, how) or what its absence does."""
    from revops_assets.core.mapping.sources import describe

    if f.found:
        return f"{f.column}" + ("" if f.how == "exact" else f" ({f.how})") + (f"; {f.note}" if f.note else "")
    if f.degraded and f.spec.required:
        return "MISSING REQUIRED: tried " + ", ".join(f.tried)
    text = describe(f, res)
    return text + (" -> rows flagged, warning check" if f.degraded else "")


def _rows(t) -> str:
    return f"{'~' if t.rows_estimated else ''}{t.rows:,}"


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
        dsn = source_dsn(source, entries)
        print()
        if not dsn:
            missing = f"{source}: no DSN ({dsn_variable(source, entries)} is not set)"
            failures.append(missing)
            print(f"== {missing} ==")
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
        for line in format_source(report, describe_dsn(dsn), verbose=args.verbose):
            print(line)
        degraded = report.degraded()
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
