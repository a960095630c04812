-- Models on the model hubs (catalogue_platforms.kind = 'hub'), one row per hub and model as last observed:
-- every model any run saw (a vendor model of a tracked organisation, or a derivative below one), with its
-- latest figures. Downloads and likes are observed per run (raw_models keeps each run's). The owner's type
-- comes from the owner lookup of the hub where it has one (raw_model_owners), else from the model payload.
--
-- Columns:
--   platform: model hub instance NAME (catalogue_platforms)
--   model_id: OWNER/NAME on the hub
--   owner: the user or organisation owning the model
--   owner_type: User or Organization (NULL: the hub did not say)
--   listed_by: org (a tracked organisation's listing found it, latest observation) or derivative
--   created_at: when the model was created on the hub
--   downloads_30d: downloads in the 30 days before the latest observation (NULL where the hub does not serve it)
--   downloads_all_time: downloads since creation (NULL where not served)
--   likes: likes (Hugging Face) or stars (ModelScope) at the latest observation
--   observed_at: when the latest observation was made
--   run_id: the run of the latest observation
WITH latest AS (
    SELECT * FROM raw_models
    WHERE model_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY platform, model_id ORDER BY observed_at DESC, listed_by = 'org' DESC) = 1
),
owners AS (
    SELECT platform, owner, arg_max(owner_type, observed_at) AS owner_type
    FROM raw_model_owners WHERE owner_type IS NOT NULL GROUP BY platform, owner
)
SELECT l.platform, l.model_id, l.model_key, l.owner, coalesce(o.owner_type, l.owner_type) AS owner_type,
    l.listed_by, l.org, l.created_at, l.last_modified, l.downloads_30d, l.downloads_all_time, l.likes, l.library,
    l.pipeline_tag, l.license, l.gated, l.relation, l.children, l.observed_at, l.run_id
FROM latest AS l LEFT JOIN owners AS o USING (platform, owner)
