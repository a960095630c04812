-- Each framework's model trees on each hub: its vendor models (the models of its model_orgs) at the roots and
-- every derivative below them, however deep (a derivative of a derivative counts for the framework whose
-- vendor model is at the root of its tree). A declared base written under a tracked organisation's former
-- name (THUDM/... for zai-org/...) is the same model. A merge whose roots belong to two frameworks is in
-- both trees, once each, flagged. A vendor model of the framework itself is never its derivative.
--
-- Columns:
--   framework: framework whose tree holds the model
--   platform: model hub instance NAME
--   model_id: the model
--   role: vendor (a model of the framework's organisations there) or derivative
--   depth: 0 for vendor models, 1 for their derivatives, 2 for those of a derivative, ...
--   root_model: a vendor model at the root of its tree (the first by id when there are several)
--   relation: how the model derives from its base models (finetune, adapter, quantized, merge; NULL for vendor models)
--   in_several_frameworks: the model derives from vendor models of more than one framework (counted in each)
WITH RECURSIVE orgs AS (
    SELECT framework, platform, org AS current, org AS name FROM catalogue_model_orgs
    UNION ALL
    SELECT framework, platform, org AS current, unnest(former_names) AS name FROM catalogue_model_orgs
),
vendor AS (
    SELECT DISTINCT o.framework, m.platform, m.model_id
    FROM stg_models AS m JOIN orgs AS o
        ON o.platform = m.platform AND lower(o.current) = lower(m.owner) AND o.name = o.current
),
edges AS (
    -- child -> base, the base's former organisation name rewritten to the current one
    SELECT b.platform, b.model_id AS child,
        coalesce(o.current || '/' || split_part(b.base_model, '/', 2), b.base_model) AS base
    FROM stg_model_bases AS b
    LEFT JOIN (SELECT DISTINCT platform, current, name FROM orgs WHERE name <> current) AS o
        ON o.platform = b.platform AND lower(o.name) = lower(split_part(b.base_model, '/', 1))
),
tree(framework, platform, model_id, depth, root_model) AS (
    SELECT framework, platform, model_id, 0, model_id FROM vendor
    UNION
    SELECT t.framework, t.platform, e.child, t.depth + 1, t.root_model
    FROM tree AS t JOIN edges AS e ON e.platform = t.platform AND e.base = t.model_id
    WHERE t.depth < 25
),
placed AS (
    SELECT framework, platform, model_id, min(depth) AS depth, min(root_model) AS root_model
    FROM tree GROUP BY framework, platform, model_id
),
kept AS (
    -- a vendor model stays a root of its own framework, not its derivative
    SELECT p.* FROM placed AS p
    WHERE p.depth = 0 OR NOT EXISTS (
        SELECT 1 FROM vendor AS v WHERE v.framework = p.framework AND v.platform = p.platform AND v.model_id = p.model_id)
)
SELECT k.framework, k.platform, k.model_id, CASE WHEN k.depth = 0 THEN 'vendor' ELSE 'derivative' END AS role,
    k.depth, k.root_model, CASE WHEN k.depth > 0 THEN m.relation END AS relation,
    k.depth > 0 AND count(*) FILTER (WHERE k.depth > 0) OVER (PARTITION BY k.platform, k.model_id) > 1 AS in_several_frameworks
FROM kept AS k LEFT JOIN stg_models AS m USING (platform, model_id)
