"""Least privilege on external servers: the roles the product runs as, set up by `revops init` as an administrator.

- The **application role** is the user of WAREHOUSE_DSN (and of DAGSTER_PG_URL): `revops_app` in the shipped
  configurations. It owns the warehouse's layer schemas and everything in them, may create schemas and temporary
  tables in the warehouse database, and may create Dagster's tables in the storage database. It is never a
  superuser and cannot create roles or databases: `revops init` refuses to go on otherwise.
- Each **source role** is the user of ODOO_DSN / APN_DSN. When an administrator connection to that source is given
  (ODOO_ADMIN_DSN / APN_ADMIN_DSN), it is created (or brought back) read-only: CONNECT, USAGE on the catalog's
  schemas, SELECT on exactly the tables of data/source_catalog.yaml and nothing else, and
  `default_transaction_read_only` on. Without one, the role the DBA gave us is only checked, and every way it could
  write is reported.
- REVOPS_ADMIN_DSN is a role on the warehouse server that may create roles and databases (the `postgres` user of the
  compose file, the master user of RDS/Aurora). It is used by `revops init` only; the product never sees it.

Passwords come only from the DSNs in the environment. They reach the server as SCRAM-SHA-256 verifiers computed
here, so the clear text is in no statement, server log or pg_stat_activity row, and nothing here prints one.
Every step is idempotent: running `revops init` again after a password rotation, an upgrade or a new catalog table
brings the roles and grants to what this module describes. Nothing is ever dropped; existing objects in the layer
schemas (and in Dagster's storage schema) are handed to the application role, so a deployment that used to run as a
superuser can be moved onto least privilege in place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import make_dsn, parse_dsn

from revops_assets.resources.postgres import connect, describe_dsn
from revops_assets.sources.catalog import SourceTable, source_tables

ADMIN_DSN_VAR = "REVOPS_ADMIN_DSN"
SOURCE_ADMIN_DSN_VARS = {"odoo": "ODOO_ADMIN_DSN", "apn": "APN_ADMIN_DSN"}
SOURCE_DSN_VARS = {"odoo": "ODOO_DSN", "apn": "APN_DSN"}
# The warehouse's layer schemas (warehouse/bootstrap.py LAYER_SCHEMAS; repeated here so this module does not import
# the bootstrap, which the lead owns): the application role owns them.
APP_SCHEMAS = ("raw", "core", "search", "matching", "rules", "ops")
# Dagster's storage (dagster-postgres) lives in the default schema of its own database.
DAGSTER_SCHEMAS = ("public",)
# Role attributes that would defeat least privilege; checked on the application and source roles after set-up.
ELEVATED_ATTRIBUTES = {"rolsuper": "superuser", "rolcreaterole": "createrole", "rolcreatedb": "createdb",
                       "rolreplication": "replication", "rolbypassrls": "bypassrls"}
WRITE_PRIVILEGES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
SCRAM_ITERATIONS = 4096


class RoleSetupError(ValueError):
    """A configuration `revops init` will not accept (printed as one line; never carries a password)."""


@dataclass(frozen=True)
class LoginRole:
    """A role the product logs in as, read from the DSN it uses."""

    name: str
    password: str | None
    where: str  # the variable it came from, for messages

    def __repr__(self) -> str:  # never show the password, even in a traceback's locals
        return f"LoginRole({self.name!r}, from {self.where})"


def dsn_parts(dsn: str) -> dict[str, str]:
    """libpq DSN or URL (SQLAlchemy's `postgresql+psycopg2://` included) as keyword parts."""
    if "://" in dsn:
        scheme, rest = dsn.split("://", 1)
        if scheme.startswith("postgresql+") or scheme.startswith("postgres+"):
            dsn = "postgresql://" + rest
    try:
        return parse_dsn(dsn)
    except psycopg2.ProgrammingError:
        raise RoleSetupError("a connection string could not be parsed (check its quoting)") from None


def with_dbname(dsn: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return make_dsn(**{**dsn_parts(dsn), "dbname": dbname})


def login_role(dsn: str, where: str) -> LoginRole:
    parts = dsn_parts(dsn)
    if not parts.get("user"):
        raise RoleSetupError(f"{where} names no user: it must connect as the role revops init sets up")
    return LoginRole(parts["user"], parts.get("password") or None, where)


def scram_sha256_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier Postgres stores for `password` (RFC 5802/7677, Postgres's text format).

    Given to CREATE/ALTER ROLE ... PASSWORD, Postgres stores it as it is; the clear text never leaves this process.
    Postgres SASLprep-normalizes non-ASCII passwords first, which is not reproduced here: they are refused instead.
    """
    if not password.isascii():
        raise RoleSetupError("role passwords must be ASCII (generate one with `openssl rand -hex 24`)")
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


# -- connections ----------------------------------------------------------------------------------------------


@contextmanager
def _admin_cursor(dsn: str, name: str) -> Iterator:
    """An autocommit cursor (CREATE DATABASE cannot run in a transaction) on a connection named in errors; the
    DSN's password never reaches a message (resources.postgres.connect)."""
    conn = connect(dsn, name=name, application_name="revops-init")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


# -- roles ------------------------------------------------------------------------------------------------------


def ensure_login_role(cur, role: LoginRole, *, read_only: bool = False) -> str:
    """Create `role` (LOGIN, no elevated attribute) or update its password; returns what was done."""
    cur.execute("select 1 from pg_roles where rolname = %s", (role.name,))
    exists = cur.fetchone() is not None
    options = [sql.SQL("login")]
    if not exists:
        options += [sql.SQL(a) for a in ("nosuperuser", "nocreatedb", "nocreaterole", "noreplication", "nobypassrls")]
    if role.password:
        options += [sql.SQL("password {}").format(sql.Literal(scram_sha256_verifier(role.password)))]
    verb = sql.SQL("alter role" if exists else "create role")
    cur.execute(sql.SQL("{} {} with {}").format(verb, sql.Identifier(role.name), sql.SQL(" ").join(options)))
    if read_only:
        _execute(cur, "alter role {} set default_transaction_read_only = on", role.name)
    _become_member_if_needed(cur, role.name)
    done = "updated" if exists else "created"
    return done + ("" if role.password else " (no password in its DSN: it must authenticate another way)")


def _become_member_if_needed(cur, role: str) -> None:
    """ALTER ... OWNER TO needs the administrator to be able to act as the new owner. A superuser always can; a
    CREATEROLE administrator (RDS's master user) holds ADMIN OPTION on the roles it created and grants itself the
    membership (Postgres 16 no longer does so implicitly)."""
    cur.execute("select rolsuper from pg_roles where rolname = current_user")
    if cur.fetchone()[0]:
        return
    cur.execute("select pg_has_role(current_user, %s, 'USAGE')", (role,))
    if not cur.fetchone()[0]:
        _execute(cur, "grant {} to current_user", role)


def elevated_attributes(cur, role: str) -> list[str] | None:
    """The elevated attributes `role` holds (empty: none), None when there is no such role."""
    cur.execute(
        sql.SQL("select {} from pg_roles where rolname = %s").format(
            sql.SQL(", ").join(sql.Identifier(a) for a in ELEVATED_ATTRIBUTES)
        ),
        (role,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return [ELEVATED_ATTRIBUTES[column] for column, value in zip(ELEVATED_ATTRIBUTES, row) if value]


def refuse_elevated(cur, role: LoginRole) -> None:
    """Checked before anything is changed for the role, and again after."""
    elevated = elevated_attributes(cur, role.name)
    if elevated:
        raise RoleSetupError(
            f"{role.where} connects as {role.name}, which has {', '.join(elevated)}: the product must run as a "
            "role without them (e.g. revops_app; see docs/operations.md)"
        )


# -- databases --------------------------------------------------------------------------------------------------


def ensure_database(admin_dsn: str, name: str) -> bool:
    """Create database `name` when missing (owned by the administrator); True when it was created."""
    with _server_admin(admin_dsn) as cur:
        cur.execute("select 1 from pg_database where datname = %s", (name,))
        if cur.fetchone() is not None:
            return False
        cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


def _maintenance_db(admin_dsn: str) -> str:
    return dsn_parts(admin_dsn).get("dbname") or "postgres"


def _execute(cur, template: str, *identifiers: str) -> None:
    """Run `template` with each {} replaced by an identifier, quoted by psycopg2.sql."""
    cur.execute(sql.SQL(template).format(*(sql.Identifier(name) for name in identifiers)))


def _server_admin(admin_dsn: str):
    """The administrator on the warehouse server's maintenance database (roles and databases are server-wide)."""
    return _admin_cursor(with_dbname(admin_dsn, _maintenance_db(admin_dsn)), "warehouse server (admin)")


def hand_over(cur, schemas: Iterable[str], owner: str, *, take_schemas: bool = True) -> int:
    """Give `owner` every table, view, sequence and routine in `schemas` that another role owns (and, with
    `take_schemas`, the schemas themselves, created when missing); returns how many objects changed hands.
    The statements are written by Postgres itself: format's %I, regclass and regprocedure quote every identifier.
    Objects an extension installed stay the extension's; a sequence owned by a column follows its table."""
    schemas = list(schemas)
    changed = 0
    if take_schemas:
        for schema in schemas:
            cur.execute(
                "select nspowner = (select oid from pg_roles where rolname = %s) from pg_namespace where nspname = %s",
                (owner, schema),
            )
            row = cur.fetchone()
            if row is None:
                _execute(cur, "create schema {} authorization {}", schema, owner)
            elif not row[0]:
                _execute(cur, "alter schema {} owner to {}", schema, owner)
                changed += 1
    cur.execute(
        """
        with target as (select oid from pg_roles where rolname = %(owner)s)
        select format('alter %%s %%s owner to %%I',
                      case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'
                                     when 'f' then 'foreign table' else 'table' end,
                      c.oid::regclass, %(owner)s)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
          and c.relowner <> (select oid from target) and not c.relispartition
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                          and (d.deptype = 'e' or (c.relkind = 'S' and d.deptype in ('a', 'i'))))
        union all
        select format('alter routine %%s owner to %%I', p.oid::regprocedure, %(owner)s)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(schemas)s) and p.proowner <> (select oid from target)
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                          and d.deptype = 'e')
        """,
        {"owner": owner, "schemas": schemas},
    )
    for (statement,) in cur.fetchall():
        cur.execute(statement)
        changed += 1
    return changed


def grant_warehouse(admin_dsn: str, warehouse_db: str, app: str) -> str:
    """pgvector, the layer schemas owned by `app`, and CONNECT/CREATE/TEMPORARY on the warehouse database."""
    with _admin_cursor(with_dbname(admin_dsn, warehouse_db), "warehouse (admin)") as cur:
        cur.execute("create extension if not exists vector")
        _execute(cur, "grant connect, create, temporary on database {} to {}", warehouse_db, app)
        changed = hand_over(cur, APP_SCHEMAS, app)
    return f"warehouse {warehouse_db}: schemas {', '.join(APP_SCHEMAS)} owned by {app}" + (
        f" ({changed} objects handed over)" if changed else ""
    )


def grant_dagster_storage(admin_dsn: str, dagster_db: str, app: str) -> str:
    """Dagster's storage database: `app` may connect and owns its tables (migrations alter them)."""
    with _admin_cursor(with_dbname(admin_dsn, dagster_db), "dagster storage (admin)") as cur:
        _execute(cur, "grant connect, temporary on database {} to {}", dagster_db, app)
        for schema in DAGSTER_SCHEMAS:
            _execute(cur, "grant usage, create on schema {} to {}", schema, app)
        changed = hand_over(cur, DAGSTER_SCHEMAS, app, take_schemas=False)
    return f"dagster storage {dagster_db}: {app} may create and owns its tables" + (
        f" ({changed} objects handed over)" if changed else ""
    )


# -- sources ----------------------------------------------------------------------------------------------------


def source_catalog_tables(source: str) -> list[SourceTable]:
    return [entry for entry in source_tables() if entry.source == source]


def grant_source_reader(admin_dsn: str, role: LoginRole, tables: list[SourceTable]) -> list[str]:
    """Make `role` a read-only reader of exactly `tables` in the source database `admin_dsn` points at."""
    lines: list[str] = []
    label = f"{tables[0].source} source" if tables else "source"
    with _admin_cursor(admin_dsn, f"{label} (admin)") as cur:
        _refuse_table_owner(cur, role, tables)
        refuse_elevated(cur, role)  # a role that exists already
        lines.append(f"{label}: role {role.name} {ensure_login_role(cur, role, read_only=True)}")
        cur.execute("select current_database()")
        database = cur.fetchone()[0]
        _execute(cur, "grant connect on database {} to {}", database, role.name)
        present, missing = _split_present(cur, tables)
        for schema in sorted({t.schema_name for t in present}):
            _execute(cur, "grant usage on schema {} to {}", schema, role.name)
        for entry in present:
            table = sql.Identifier(entry.schema_name, entry.table)
            cur.execute(
                sql.SQL("revoke {} on {} from {}").format(
                    sql.SQL(", ").join(sql.SQL(p) for p in WRITE_PRIVILEGES), table, sql.Identifier(role.name)
                )
            )
            cur.execute(sql.SQL("grant select on {} to {}").format(table, sql.Identifier(role.name)))
        lines.append(
            f"{label}: {role.name} may read {len(present)} catalog tables of {database} and write none"
            + (f"; not in the source (skipped): {', '.join(t.table for t in missing)}" if missing else "")
        )
    return lines


def _refuse_table_owner(cur, role: LoginRole, tables: list[SourceTable]) -> None:
    """Revoking write privileges from the role that owns the source's tables would break the source application."""
    cur.execute(
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relowner = (select oid from pg_roles where rolname = %s) and (n.nspname, c.relname) in "
        "(select * from unnest(%s::text[], %s::text[]))",
        (role.name, [t.schema_name for t in tables], [t.table for t in tables]),
    )
    owned = cur.fetchone()[0]
    cur.execute("select current_user")
    if owned or cur.fetchone()[0] == role.name:
        raise RoleSetupError(
            f"{role.where} connects as {role.name}, which owns the source's tables or administers it: give the product "
            "a role of its own (e.g. revops_odoo_reader) that revops init makes read-only"
        )


def _split_present(cur, tables: list[SourceTable]) -> tuple[list[SourceTable], list[SourceTable]]:
    present, missing = [], []
    for entry in tables:
        cur.execute("select to_regclass(%s)", (sql.Identifier(entry.schema_name, entry.table).as_string(cur),))
        (present if cur.fetchone()[0] is not None else missing).append(entry)
    return present, missing


def check_source_role(dsn: str, role: LoginRole, tables: list[SourceTable]) -> list[str]:
    """Without an administrator connection: what the source role can do, as one line (a warning when it can write)."""
    label = f"{tables[0].source} source" if tables else "source"
    conn = connect(dsn, name=label, read_only=True, application_name="revops-init")
    try:
        with conn, conn.cursor() as cur:
            elevated = elevated_attributes(cur, role.name)
            present, missing = _split_present(cur, tables)
            writable = []
            for entry in present:
                cur.execute(
                    "select has_table_privilege(%s, %s, %s)",
                    (role.name, sql.Identifier(entry.schema_name, entry.table).as_string(cur),
                     ", ".join(WRITE_PRIVILEGES)),
                )
                if cur.fetchone()[0]:
                    writable.append(entry.table)
            cur.execute("show default_transaction_read_only")
            read_only_default = cur.fetchone()[0] == "on"
    finally:
        conn.close()
    admin_var = SOURCE_ADMIN_DSN_VARS.get(tables[0].source, "an admin DSN") if tables else "an admin DSN"
    head = f"{label}: {role.name} (not managed here, {admin_var} unset)"
    problems = []
    if elevated:
        problems.append(f"has {', '.join(elevated)}")
    if writable:
        shown = ", ".join(writable[:5]) + (", ..." if len(writable) > 5 else "")
        problems.append(f"may write {len(writable)} catalog tables ({shown})")
    if problems:
        return [f"WARNING {head} {' and '.join(problems)}: give it a read-only role (docs/operations.md)"]
    note = "" if read_only_default else "; its sessions are read-only only because ours ask for it"
    return [f"{head}: reads {len(present)} catalog tables, may write none{note}"]


# -- the whole set-up ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitPlan:
    """What `revops init` works on, read from the environment and checked before anything is changed. The DSNs may
    hold passwords: they are left out of its repr (a traceback's locals), as LoginRole leaves out its password."""

    admin_dsn: str = field(repr=False)
    warehouse_dsn: str = field(repr=False)
    dagster_pg_url: str | None = field(repr=False)
    app: LoginRole
    # source -> (its DSN, its role, its admin DSN or None)
    sources: dict[str, tuple[str, LoginRole, str | None]] = field(repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> InitPlan:
        env = dict(os.environ if env is None else env)
        admin_dsn = env.get(ADMIN_DSN_VAR) or ""
        missing = [v for v in (ADMIN_DSN_VAR, "WAREHOUSE_DSN", *SOURCE_DSN_VARS.values()) if not env.get(v)]
        if missing:
            raise RoleSetupError(
                f"revops init sets up external servers: set {', '.join(missing)} "
                "(see .env.example and docs/operations.md)"
            )
        app = login_role(env["WAREHOUSE_DSN"], "WAREHOUSE_DSN")
        dagster_pg_url = env.get("DAGSTER_PG_URL") or None
        if dagster_pg_url:
            dagster_role = login_role(dagster_pg_url, "DAGSTER_PG_URL")
            if dagster_role.name != app.name:
                raise RoleSetupError(
                    f"DAGSTER_PG_URL connects as {dagster_role.name} and WAREHOUSE_DSN as {app.name}: "
                    "the product runs as one role"
                )
        admin_user = dsn_parts(admin_dsn).get("user")
        if admin_user and admin_user == app.name:
            raise RoleSetupError(
                f"WAREHOUSE_DSN connects as the administrator {admin_user}: the product needs its own role"
            )
        sources = {}
        for source, var in SOURCE_DSN_VARS.items():
            role = login_role(env[var], var)
            if role.name == app.name:
                raise RoleSetupError(
                    f"{var} connects as {app.name}, the application role: sources are read by their own read-only roles"
                )
            sources[source] = (env[var], role, env.get(SOURCE_ADMIN_DSN_VARS[source]) or None)
        return cls(admin_dsn, env["WAREHOUSE_DSN"], dagster_pg_url, app, sources)

    def describe(self) -> str:
        return f"administrator {describe_dsn(self.admin_dsn)}, application role {self.app.name}"


def preflight(plan: InitPlan) -> None:
    """Every refusal that needs a server, before anything is changed: an application role with elevated
    attributes, a source role that is a superuser or owns the source's tables."""
    with _server_admin(plan.admin_dsn) as cur:
        refuse_elevated(cur, plan.app)
    for source, (_dsn, role, admin_dsn) in plan.sources.items():
        if admin_dsn:
            with _admin_cursor(admin_dsn, f"{source} source (admin)") as cur:
                _refuse_table_owner(cur, role, source_catalog_tables(source))
                refuse_elevated(cur, role)


def set_up_roles(plan: InitPlan) -> list[str]:
    """Everything that needs the administrator: roles, databases, ownership and grants. Run before `bring_up()`,
    which then applies the DDL and the Dagster pools as the application role."""
    preflight(plan)
    lines = [f"revops init: {plan.describe()}"]
    with _server_admin(plan.admin_dsn) as cur:
        lines.append(f"role {plan.app.name}: {ensure_login_role(cur, plan.app)}")
    warehouse_db = dsn_parts(plan.warehouse_dsn).get("dbname") or plan.app.name
    dagster_db = (dsn_parts(plan.dagster_pg_url).get("dbname") or plan.app.name) if plan.dagster_pg_url else None
    for db in filter(None, (warehouse_db, dagster_db)):
        lines.append(f"database {db}: {'created' if ensure_database(plan.admin_dsn, db) else 'exists'}")
    lines.append(grant_warehouse(plan.admin_dsn, warehouse_db, plan.app.name))
    if dagster_db:
        lines.append(grant_dagster_storage(plan.admin_dsn, dagster_db, plan.app.name))
    else:
        lines.append("DAGSTER_PG_URL unset: Dagster's storage not set up (and no pool limits)")
    for source, (dsn, role, admin_dsn) in plan.sources.items():
        tables = source_catalog_tables(source)
        lines += grant_source_reader(admin_dsn, role, tables) if admin_dsn else check_source_role(dsn, role, tables)
    return lines


def verify_app_role(warehouse_dsn: str) -> str:
    """Connect as the product does and confirm the role holds no elevated attribute and owns the layer schemas."""
    conn = connect(warehouse_dsn, name="warehouse", application_name="revops-init")
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select current_user")
            role = cur.fetchone()[0]
            elevated = elevated_attributes(cur, role)
            cur.execute(
                "select nspname from pg_namespace where nspname = any(%s) "
                "and nspowner <> (select oid from pg_roles where rolname = current_user)",
                (list(APP_SCHEMAS),),
            )
            foreign = [r[0] for r in cur.fetchall()]
    finally:
        conn.close()
    if elevated or foreign:
        raise RoleSetupError(
            f"the product connects as {role}"
            + (f", which has {', '.join(elevated)}" if elevated else "")
            + (f"; schemas not owned by it: {', '.join(foreign)}" if foreign else "")
        )
    return f"the product connects as {role}: no superuser, createrole, createdb, replication or bypassrls"
