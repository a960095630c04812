-- The base models each hub model declares, as its latest observation declares them (card metadata
-- `base_model` is editable: a later run's answer replaces an earlier one's).
--
-- Columns:
--   platform: model hub instance NAME (catalogue_platforms)
--   model_id: the declaring model (stg_models.model_id)
--   base_model: the base model as declared (a former id as written)
--   relation: finetune, adapter, quantized or merge
SELECT DISTINCT b.platform, b.model_id, b.base_model, b.relation
FROM raw_model_bases AS b JOIN stg_models AS m
    ON m.platform = b.platform AND m.model_id = b.model_id AND m.run_id = b.run_id
WHERE b.base_model IS NOT NULL
