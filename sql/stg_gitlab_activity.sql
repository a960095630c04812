-- GitLab merge request (kind pull_requests) and issue counts per state, as counted by the latest run
-- for each project. GitLab's opened/locked become open; merged stays apart from closed, as on GitLab.
--
-- Columns:
--   state: open, closed, merged or all (GitLab's opened and locked are open)
SELECT * REPLACE (CASE WHEN state IN ('opened', 'locked') THEN 'open' ELSE state END AS state)
FROM raw_activity
WHERE platform = 'gitlab'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY repo) = run_id
