-- Gitee pull request and issue counts per state, as counted by the latest run for each repository.
-- Gitee issue states other than open (progressing, rejected) count as closed.
--
-- Columns:
--   state: open, closed, merged or all (Gitee's progressing counts as open, rejected as closed)
SELECT * REPLACE (CASE state WHEN 'progressing' THEN 'open' WHEN 'rejected' THEN 'closed' ELSE state END AS state)
FROM raw_activity
WHERE platform = 'gitee'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY repo) = run_id
