-- Adoption of each framework's open models on each model hub, month by month: the vendor's new models, and the
-- derivatives that declare one of them (or a derivative of one, at any depth: int_model_tree) as their base
-- model, by relation (fine-tunes, adapters, quantisations, merges), with their owners. Derivatives declare
-- their base model voluntarily (card metadata), so every count is a lower bound. Downloads and likes are the
-- vendor models' as last observed (downloads_30d is a 30-day window ending at that observation; trends come
-- from the run history in raw_models). Months are those of the models' creation on the hub (UTC).
--
-- Columns:
--   framework: framework
--   platform: model hub instance NAME (catalogue_platforms, kind = hub)
--   month: first day of the calendar month the models were created in
--   new_vendor_models: models of the vendor's organisations created that month
--   new_derivatives: derivatives created that month (every relation; a merge with roots in two frameworks counts for each)
--   new_finetunes: derivatives of relation finetune
--   new_adapters: derivatives of relation adapter
--   new_quantized: derivatives of relation quantized
--   new_merges: derivatives of relation merge
--   new_merges_of_several_frameworks: merges (or others) among new_derivatives whose roots are vendor models of more than one framework
--   derivative_owners: distinct owners (users and organisations) of the derivatives created that month
--   new_adopter_organisations: organisations whose first derivative of the framework on the hub was created that month
--   downloads_30d: downloads in the last 30 days of the vendor models created that month, as last observed (NULL where the hub does not serve it)
--   likes: likes of the vendor models created that month, as last observed
WITH models AS (
    SELECT t.framework, t.platform, t.model_id, t.role, t.relation, t.in_several_frameworks,
        date_trunc('month', m.created_at AT TIME ZONE 'UTC')::DATE AS month, m.owner, m.owner_type,
        m.downloads_30d, m.likes
    FROM int_model_tree AS t JOIN stg_models AS m USING (platform, model_id)
),
first_adoption AS (
    SELECT framework, platform, owner, min(month) AS month
    FROM models WHERE role = 'derivative' AND owner_type = 'Organization' GROUP BY ALL
)
SELECT m.framework, m.platform, m.month,
    count(*) FILTER (WHERE m.role = 'vendor') AS new_vendor_models,
    count(*) FILTER (WHERE m.role = 'derivative') AS new_derivatives,
    count(*) FILTER (WHERE m.role = 'derivative' AND m.relation = 'finetune') AS new_finetunes,
    count(*) FILTER (WHERE m.role = 'derivative' AND m.relation = 'adapter') AS new_adapters,
    count(*) FILTER (WHERE m.role = 'derivative' AND m.relation = 'quantized') AS new_quantized,
    count(*) FILTER (WHERE m.role = 'derivative' AND m.relation = 'merge') AS new_merges,
    count(*) FILTER (WHERE m.role = 'derivative' AND m.in_several_frameworks) AS new_merges_of_several_frameworks,
    count(DISTINCT m.owner) FILTER (WHERE m.role = 'derivative') AS derivative_owners,
    coalesce(any_value(a.organisations), 0) AS new_adopter_organisations,
    sum(m.downloads_30d) FILTER (WHERE m.role = 'vendor')::BIGINT AS downloads_30d,
    sum(m.likes) FILTER (WHERE m.role = 'vendor')::BIGINT AS likes
FROM models AS m
LEFT JOIN (SELECT framework, platform, month, count(*) AS organisations FROM first_adoption GROUP BY ALL) AS a
    USING (framework, platform, month)
GROUP BY m.framework, m.platform, m.month
