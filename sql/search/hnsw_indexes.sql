create index if not exists {identity_index} on {table} using hnsw (identity_vec vector_cosine_ops);
create index if not exists {context_index} on {table} using hnsw (context_vec vector_cosine_ops);
