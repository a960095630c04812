-- How much each framework's open models rely on model hubs operated outside mainland China (Hugging Face, US)
-- against domestic ones (ModelScope, CN): the vendor's models, their downloads and their derivatives on each
-- hub, the foreign-operated share of each (operator_country known and not CN), and where each model family
-- appeared first. A model family is one model published on several hubs, possibly under different names:
-- the model name after the owner, lower-cased without punctuation (zai-org/GLM-4.5 and ZhipuAI/glm_4.5 are
-- one family). Downloads are as last observed (a hub that does not serve a figure adds nothing to it, and a
-- share whose denominator is 0 or unknown is NULL). Modelers (Huawei) is not mined: the domestic side lacks
-- its figures. Frameworks without any model organisation have no row.
--
-- Columns:
--   framework: framework
--   hubs: model hubs holding vendor models of the framework
--   vendor_models: the vendor's models on every hub
--   vendor_models_foreign: of them, on foreign-operated hubs
--   vendor_models_foreign_share: vendor_models_foreign / vendor_models
--   downloads_all_time: all-time downloads of the vendor's models on every hub that serves them
--   downloads_all_time_foreign: of them, on foreign-operated hubs
--   downloads_all_time_foreign_share: downloads_all_time_foreign / downloads_all_time
--   downloads_30d: last-30-day downloads of the vendor's models on every hub that serves them (Hugging Face)
--   derivatives: derivatives of the vendor's models on every hub (int_model_tree)
--   derivatives_foreign: of them, on foreign-operated hubs
--   derivatives_foreign_share: derivatives_foreign / derivatives
--   families: model families of the vendor (a family on several hubs counts once)
--   families_on_several_hubs: families published on more than one hub
--   families_first_foreign: families whose first model appeared on a foreign-operated hub
--   families_first_foreign_share: families_first_foreign / families (of those with a known creation time)
--   first_hub: the hub where most of the vendor's families appeared first
WITH hubs AS (
    SELECT platform, coalesce(operator_country <> 'CN', false) AS foreign_operated
    FROM catalogue_platforms WHERE kind = 'hub'
),
tree AS (
    SELECT t.*, h.foreign_operated, m.created_at, m.downloads_all_time, m.downloads_30d,
        regexp_replace(lower(split_part(t.model_id, '/', 2)), '[^a-z0-9]', '', 'g') AS family
    FROM int_model_tree AS t JOIN hubs AS h USING (platform) JOIN stg_models AS m USING (platform, model_id)
),
figures AS (
    SELECT framework,
        list(DISTINCT platform ORDER BY platform) FILTER (WHERE role = 'vendor') AS hubs,
        count(*) FILTER (WHERE role = 'vendor') AS vendor_models,
        count(*) FILTER (WHERE role = 'vendor' AND foreign_operated) AS vendor_models_foreign,
        sum(downloads_all_time) FILTER (WHERE role = 'vendor')::BIGINT AS downloads_all_time,
        sum(downloads_all_time) FILTER (WHERE role = 'vendor' AND foreign_operated)::BIGINT AS downloads_all_time_foreign,
        sum(downloads_30d) FILTER (WHERE role = 'vendor')::BIGINT AS downloads_30d,
        count(*) FILTER (WHERE role = 'derivative') AS derivatives,
        count(*) FILTER (WHERE role = 'derivative' AND foreign_operated) AS derivatives_foreign
    FROM tree GROUP BY framework
),
families AS (
    SELECT framework, family, count(DISTINCT platform) AS platforms,
        arg_min(platform, created_at) AS first_platform, arg_min(foreign_operated, created_at) AS first_foreign
    FROM tree WHERE role = 'vendor' GROUP BY framework, family
),
first_hubs AS (
    SELECT framework, first_platform AS first_hub FROM families WHERE first_platform IS NOT NULL
    GROUP BY framework, first_platform
    QUALIFY row_number() OVER (PARTITION BY framework ORDER BY count(*) DESC, first_platform) = 1
),
family_figures AS (
    SELECT framework, count(*) AS families, count(*) FILTER (WHERE platforms > 1) AS families_on_several_hubs,
        count(*) FILTER (WHERE first_foreign) AS families_first_foreign,
        count(*) FILTER (WHERE first_platform IS NOT NULL) AS families_dated,
        any_value(h.first_hub) AS first_hub
    FROM families LEFT JOIN first_hubs AS h USING (framework) GROUP BY framework
)
SELECT f.framework, f.hubs, f.vendor_models, f.vendor_models_foreign,
    f.vendor_models_foreign / nullif(f.vendor_models, 0) AS vendor_models_foreign_share,
    f.downloads_all_time, coalesce(f.downloads_all_time_foreign, 0) AS downloads_all_time_foreign,
    coalesce(f.downloads_all_time_foreign, 0) / nullif(f.downloads_all_time, 0) AS downloads_all_time_foreign_share,
    f.downloads_30d, f.derivatives, f.derivatives_foreign,
    f.derivatives_foreign / nullif(f.derivatives, 0) AS derivatives_foreign_share,
    coalesce(ff.families, 0) AS families, coalesce(ff.families_on_several_hubs, 0) AS families_on_several_hubs,
    coalesce(ff.families_first_foreign, 0) AS families_first_foreign,
    ff.families_first_foreign / nullif(ff.families_dated, 0) AS families_first_foreign_share,
    ff.first_hub
FROM figures AS f LEFT JOIN family_figures AS ff USING (framework)
WHERE f.vendor_models > 0
