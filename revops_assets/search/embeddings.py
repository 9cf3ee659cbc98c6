"""Embedding opportunities into pgvector: only what changed, streamed in batches, written with COPY.

For each core opportunity table the identity text (company + domain) and the context text (title + description +
use case + industry) are embedded. A row is embedded again only when one of its text hashes or the model changed;
rows gone from core are deleted. A model with another dimension gets a fresh table (built and swapped in one
transaction), so one vector column never mixes dimensions.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from functools import lru_cache

from psycopg2 import sql

from revops_assets.progress import Progress
from revops_assets.settings import sql_dir

BATCH_ROWS = 256


@dataclass(frozen=True)
class EmbeddingTarget:
    name: str  # search.<name>
    core_table: str  # core.<core_table>
    id_column: str
    id_type: str  # literal SQL type, from this module

    @property
    def table(self) -> sql.Identifier:
        return sql.Identifier("search", self.name)


ODOO_TARGET = EmbeddingTarget("odoo_opportunity_embeddings", "odoo_opportunities", "odoo_opportunity_id", "integer")
ACE_TARGET = EmbeddingTarget("ace_opportunity_embeddings", "ace_opportunities", "ace_opportunity_id", "text")


@dataclass
class EmbedStats:
    embedded: int = 0
    skipped: int = 0
    deleted: int = 0
    texts: int = 0
    seconds_embedding: float = 0.0
    rebuilt: bool = False
    model_id: str = ""
    device: str = ""
    dim: int = 0

    @property
    def texts_per_s(self) -> float:
        return self.texts / self.seconds_embedding if self.seconds_embedding else 0.0


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return (sql_dir() / "search" / name).read_text()


def _vector_literal(vec) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vec.tolist()) + "]"


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _table_state(cur, target: EmbeddingTarget) -> tuple[bool, int | None]:
    """(exists, dimension of its vector columns)."""
    cur.execute(
        "select format_type(a.atttypid, a.atttypmod) from pg_attribute a "
        "where a.attrelid = to_regclass(%s) and a.attname = 'identity_vec'",
        (f"search.{target.name}",),
    )
    row = cur.fetchone()
    if row is None:
        return False, None
    return True, int(row[0].split("(")[1].rstrip(")"))


def _create_table(cur, target: EmbeddingTarget, name: str, dim: int) -> None:
    cur.execute(
        sql.SQL(_template("embeddings_table.sql")).format(
            table=sql.Identifier("search", name), id_type=sql.SQL(target.id_type), dim=sql.Literal(int(dim))
        )
    )


def _create_indexes(cur, target: EmbeddingTarget) -> None:
    cur.execute(
        sql.SQL(_template("hnsw_indexes.sql")).format(
            table=target.table,
            identity_index=sql.Identifier(f"{target.name}_identity_hnsw"),
            context_index=sql.Identifier(f"{target.name}_context_hnsw"),
        )
    )


def embed_opportunities(conn, target: EmbeddingTarget, embedder, log=None) -> EmbedStats:
    """Bring search.<target> up to date with core in the caller's transaction; returns what was done."""
    stats = EmbedStats(model_id=embedder.model_id, device=str(getattr(embedder, "device", "")), dim=embedder.dim)
    core = sql.Identifier("core", target.core_table)
    ident = sql.Identifier(target.id_column)
    with conn.cursor() as cur:
        exists, dim = _table_state(cur, target)
        if exists and dim != embedder.dim:
            # another model's dimension: start a fresh table, swapped in at commit
            if log:
                log.info(f"{target.name}: model dimension {dim} -> {embedder.dim}, re-embedding everything")
            cur.execute(sql.SQL("drop table {}").format(target.table))
            exists = False
            stats.rebuilt = True
        if not exists:
            _create_table(cur, target, target.name, embedder.dim)
        cur.execute(sql.SQL("select count(*) from {}").format(core))
        total = cur.fetchone()[0]
        cur.execute(sql.SQL(_template("delete_gone.sql")).format(table=target.table, core=core, id=ident))
        stats.deleted = cur.rowcount
        staged = sql.Identifier("_staged_embeddings")
        cur.execute(
            sql.SQL("create temp table {} (like {}) on commit drop").format(staged, target.table)
        )

    pending_sql = sql.SQL(_template("pending_rows.sql")).format(core=core, table=target.table, id=ident)
    with conn.cursor() as cur:  # how many to embed, for the progress lines
        cur.execute(sql.SQL("select count(*) from ({}) p").format(pending_sql), {"model_id": embedder.model_id})
        progress = Progress(f"embedding {target.name}", total=cur.fetchone()[0], log=log)
    with conn.cursor(name=f"pending_{target.name}") as pending, conn.cursor() as sink:
        pending.itersize = BATCH_ROWS
        pending.execute(pending_sql, {"model_id": embedder.model_id})
        while True:
            rows = pending.fetchmany(BATCH_ROWS)
            if not rows:
                break
            texts = [r[1] or "" for r in rows] + [r[2] or "" for r in rows]
            started = time.monotonic()
            batch = embedder.embed(texts)
            stats.seconds_embedding += time.monotonic() - started
            stats.texts += len(texts)
            buffer = io.StringIO()
            n = len(rows)
            for i, (oid, _, _, identity_hash, context_hash) in enumerate(rows):
                sparse_i = json.dumps(batch.sparse[i]) if batch.sparse is not None else "\\N"
                sparse_c = json.dumps(batch.sparse[n + i]) if batch.sparse is not None else "\\N"
                buffer.write(
                    "\t".join(
                        [
                            _copy_escape(str(oid)),
                            _copy_escape(embedder.model_id),
                            identity_hash,
                            context_hash,
                            _vector_literal(batch.dense[i]),
                            _vector_literal(batch.dense[n + i]),
                            _copy_escape(sparse_i) if sparse_i != "\\N" else sparse_i,
                            _copy_escape(sparse_c) if sparse_c != "\\N" else sparse_c,
                            "now",
                        ]
                    )
                    + "\n"
                )
            buffer.seek(0)
            sink.copy_expert(
                sql.SQL(
                    "copy {} (opportunity_id, model_id, identity_hash, context_hash, identity_vec, context_vec, "
                    "identity_sparse, context_sparse, embedded_at) from stdin"
                ).format(staged),
                buffer,
            )
            stats.embedded += n
            progress.advance(n)
    progress.finish()
    with conn.cursor() as cur:
        cur.execute(sql.SQL(_template("upsert_embeddings.sql")).format(table=target.table, staged=staged))
        _create_indexes(cur, target)
        cur.execute(sql.SQL("analyze {}").format(target.table))
    stats.skipped = total - stats.embedded
    return stats


def nearest(conn, target: EmbeddingTarget, vector, column: str = "context_vec", k: int = 5) -> list[tuple]:
    """(opportunity_id, cosine distance) of the k nearest rows by the HNSW index."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("select opportunity_id, {col} <=> %s::vector as d from {t} order by {col} <=> %s::vector limit %s").format(
                col=sql.Identifier(column), t=target.table
            ),
            (_vector_literal(vector), _vector_literal(vector), k),
        )
        return cur.fetchall()
