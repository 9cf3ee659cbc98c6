"""What the fault suite counts, computed from the databases after each scenario: rows lost, rows duplicated,
half-written tables and secrets seen. The suite's last line is made from these counts, never from constants."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg2


@dataclass
class Tally:
    rows_lost: int = 0
    duplicated: int = 0
    half_written: int = 0
    secrets_seen: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.rows_lost += other.rows_lost
        self.duplicated += other.duplicated
        self.half_written += other.half_written
        self.secrets_seen += other.secrets_seen
        self.problems += other.problems

    @property
    def clean(self) -> bool:
        return not (self.rows_lost or self.duplicated or self.half_written or self.secrets_seen)


@dataclass
class Ledger:
    scenarios: dict[str, Tally] = field(default_factory=dict)

    def record(self, scenario: str, tally: Tally) -> Tally:
        self.scenarios.setdefault(scenario, Tally()).add(tally)
        return tally

    def total(self) -> Tally:
        out = Tally()
        for tally in self.scenarios.values():
            out.add(tally)
        return out

    def summary(self) -> str:
        t = self.total()
        return (f"{len(self.scenarios)} scenarios, {t.rows_lost} rows lost, {t.duplicated} duplicated, "
                f"{t.half_written} half-written tables, {t.secrets_seen} secrets seen")


LEDGER = Ledger()


def query(dsn: str, statement: str, params=None):
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def _rows(dsn: str, relation: str, key: list[str], columns: list[str], where: str = "true") -> dict[tuple, list[str]]:
    """{key: [md5 of the row's values, one per copy]} over `columns` (the key's columns first)."""
    from psycopg2 import sql

    stmt = sql.SQL("select {keys}, md5(row({cols})::text) from {rel} where {where}").format(
        keys=sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in key),
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        rel=sql.SQL(relation),
        where=sql.SQL(where),
    )
    out: dict[tuple, list[str]] = {}
    for row in query(dsn, stmt):
        out.setdefault(tuple(row[:-1]), []).append(row[-1])
    return out


def mirror_tally(src_dsn: str, source_relation: str, wh_dsn: str, raw_table: str, key: list[str],
                 columns: list[str]) -> Tally:
    """Source rows missing (or different) among raw's live rows, and raw live rows that are extra copies or keys
    the source does not have; null source keys are not mirrored on purpose (quarantined)."""
    source = _rows(src_dsn, source_relation, key, columns, " and ".join(f"{_q(k)} is not null" for k in key))
    raw = _rows(wh_dsn, f"raw.{_q(raw_table)}", key, columns, "_sync_deleted_at is null")
    tally = Tally()
    for k, digests in source.items():
        newest = set(raw.get(k, []))
        if not newest & set(digests):
            tally.rows_lost += 1
            tally.problems.append(f"{raw_table}: source row {k} missing or different in raw")
    for k, digests in raw.items():
        extra = len(digests) - 1 + (0 if k in source else 1)
        if extra:
            tally.duplicated += extra
            tally.problems.append(f"{raw_table}: key {k} {len(digests)}x in raw, {'in' if k in source else 'not in'} source")
    return tally


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def warehouse_tally(wh_dsn: str) -> Tally:
    """Half-written state anywhere in a warehouse: staging tables left behind, audit rows still "running", kept
    key fingerprints that disagree with raw, watermarks past the newest cursor they cover."""
    tally = Tally()
    for (name,) in query(wh_dsn, "select tablename from pg_tables where schemaname = 'raw' and tablename like '\\_stage%'"):
        tally.half_written += 1
        tally.problems.append(f"staging table raw.{name} left behind")
    for asset, n in query(wh_dsn, "select asset_key, count(*) from ops.sync_runs where status = 'running' group by 1"):
        tally.half_written += 1
        tally.problems.append(f"{asset}: {n} audit row(s) still running")
    for asset, live_rows, live_hash in query(
        wh_dsn, "select asset_key, live_rows, live_key_hash from ops.watermarks where live_rows is not null"
    ):
        raw_table = asset.split("/", 1)[1]
        if not query(wh_dsn, "select to_regclass(format('raw.%%I', %s::text))", (raw_table,))[0][0]:
            continue
        key = query(wh_dsn, "select array_agg(a.attname::text) from pg_index i join pg_attribute a on a.attrelid = "
                            "i.indrelid and a.attnum = any(i.indkey) where i.indrelid = format('raw.%%I', %s::text)"
                            "::regclass and i.indisprimary", (raw_table,))[0][0]
        if key and len(key) == 1:
            scanned = query(wh_dsn, f"select count(*), coalesce(sum(case when pg_typeof({_q(key[0])})::text in "
                                    f"('integer','bigint','smallint') then hashint8({_q(key[0])}::text::bigint) "
                                    f"else hashtext(row({_q(key[0])})::text) end), 0) from raw.{_q(raw_table)} "
                                    "where _sync_deleted_at is null")[0]
            if (scanned[0], int(scanned[1])) != (live_rows, live_hash):
                tally.half_written += 1
                tally.problems.append(f"{asset}: kept fingerprint {(live_rows, live_hash)} != raw {scanned}")
    return tally
