-- Current pull/merge request and issue totals of every tracked repository (the run each platform's
-- staging keeps), with framework and role: where development happens.
--
-- Columns:
--   framework: framework of the repository
--   role: configured role of the repository
SELECT c.framework, c.role, a.*
FROM int_activity_by_run AS a
SEMI JOIN (
    SELECT DISTINCT platform, repo, run_id FROM stg_activity
) AS current_runs USING (platform, repo, run_id)
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
