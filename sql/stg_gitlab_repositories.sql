-- GitLab projects as last observed: one row per tracked project (its latest observation). GitLab's
-- `mirror` flag (a pull mirror) is is_mirror; pushed_at is the project's last_activity_at.
--
-- Columns:
--   is_mirror: GitLab's mirror flag (a pull mirror of another repository); false when absent
SELECT * REPLACE (coalesce(is_mirror, false) AS is_mirror)
FROM raw_repositories
WHERE platform = 'gitlab'
QUALIFY row_number() OVER (PARTITION BY repo ORDER BY observed_at DESC, run_id DESC) = 1
