-- Nearest Odoo opportunities of each ACE opportunity by one embedding ({column}), through the HNSW cosine index.
-- The cosine floor is applied outside the lateral so the index still orders the inner scan.
select a.opportunity_id as left_id, n.opportunity_id::text as right_id
from search.ace_opportunity_embeddings a
cross join lateral (
    select o.opportunity_id, o.{column} <=> a.{column} as distance
    from search.odoo_opportunity_embeddings o
    order by o.{column} <=> a.{column}
    limit %(k)s
) n
where 1 - n.distance >= %(min_cosine)s
