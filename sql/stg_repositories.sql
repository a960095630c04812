-- Tracked repositories of every platform as last observed: one row per repository (its latest
-- observation). A platform marks a mirror by a mirror_url (GitHub) or a mirror flag (GitLab's pull
-- mirror); Gitee's API has neither, so is_mirror is false there and mirror roles come from the
-- configuration and the evidence in mart_platform_dependence.
--
-- Columns:
--   is_mirror: the platform marks the repository a mirror (a mirror_url, or its mirror flag); false when it does not
SELECT * REPLACE (coalesce(is_mirror, false) OR mirror_url IS NOT NULL AS is_mirror)
FROM raw_repositories
QUALIFY row_number() OVER (PARTITION BY platform, repo ORDER BY observed_at DESC, run_id DESC) = 1
