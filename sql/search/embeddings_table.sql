-- One embeddings table per opportunity source: dense vectors of the configured model's dimension, BGE-M3 lexical
-- weights beside them, and the hashes of the texts they were computed from (so unchanged rows are skipped).
create table {table} (
    opportunity_id  {id_type} primary key,
    model_id        text not null,
    identity_hash   text not null,
    context_hash    text not null,
    identity_vec    vector({dim}) not null,
    context_vec     vector({dim}) not null,
    identity_sparse jsonb,
    context_sparse  jsonb,
    embedded_at     timestamptz not null default now()
)
