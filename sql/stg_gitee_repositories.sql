-- Gitee repositories as last observed: one row per tracked repository (its latest observation).
-- Gitee's API has no mirror field: is_mirror stays NULL unless the source knew better, and mirror
-- roles come from the configuration and the evidence in mart_platform_dependence.
SELECT *
FROM raw_repositories
WHERE platform = 'gitee'
QUALIFY row_number() OVER (PARTITION BY repo ORDER BY observed_at DESC, run_id DESC) = 1
