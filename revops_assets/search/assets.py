"""Search layer assets: opportunity embeddings of both systems in pgvector, HNSW-indexed.

Both assets share the `gpu` pool (limit 1, set by `revops up`), so two model copies never compete for one GPU.
"""

import dagster as dg

from revops_assets.dictionary import table_schema
from revops_assets.search.embeddings import ACE_TARGET, ODOO_TARGET, EmbeddingTarget, embed_opportunities

GPU_POOL = "gpu"


def embedding_asset(target: EmbeddingTarget) -> dg.AssetsDefinition:
    key = dg.AssetKey(["search", target.name])

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["core", target.core_table])],
        group_name="search",
        kinds={"postgres", "pgvector"},
        owners=["team:revops"],
        pool=GPU_POOL,
        required_resource_keys={"warehouse_db", "embedder"},
        description=f"Identity and context embeddings of core.{target.core_table} (dense + BGE-M3 lexical weights), "
        "recomputed only when a text or the model changes; HNSW cosine indexes.",
        tags={"layer": "search"},
        metadata={"dagster/table_name": f"revops_core.search.{target.name}"},
    )
    def _embeddings(context: dg.AssetExecutionContext):
        embedder = context.resources.embedder.embedder  # the loaded model (device resolved)
        with context.resources.warehouse_db.connection() as conn:
            stats = embed_opportunities(conn, target, embedder, log=context.log)
            with conn.cursor() as cur:
                cur.execute(f"select count(*) from search.{target.name}")  # noqa: S608 (constant name)
                rows = cur.fetchone()[0]
                schema = table_schema(cur, "search", target.name)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "dagster/column_schema": schema,
                "rows_embedded": stats.embedded,
                "rows_skipped": stats.skipped,
                "rows_deleted": stats.deleted,
                "texts_per_s": dg.FloatMetadataValue(round(stats.texts_per_s, 1)),
                "model": stats.model_id,
                "device": stats.device,
                "dimension": stats.dim,
                "rebuilt_for_new_model": stats.rebuilt,
                "summary": f"{stats.embedded:,} embedded ({stats.texts:,} texts, {stats.texts_per_s:,.0f} texts/s "
                f"on {stats.device}), {stats.skipped:,} unchanged",
            }
        )

    return _embeddings


def search_assets() -> list[dg.AssetsDefinition]:
    return [embedding_asset(ODOO_TARGET), embedding_asset(ACE_TARGET)]
