-- Pull/merge request (kind pull_requests) and issue counts per state of every platform, as counted by
-- the latest run for each repository. States are the platforms' own, made one vocabulary: GitLab's
-- opened and locked and Gitee's progressing are open, Gitee's rejected is closed; merged stays apart
-- from closed, as on GitLab.
--
-- Columns:
--   state: open, closed, merged or all
SELECT * REPLACE (
    CASE WHEN state IN ('opened', 'locked', 'progressing') THEN 'open' WHEN state = 'rejected' THEN 'closed'
         ELSE state END AS state)
FROM raw_activity
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY platform, repo)
