-- GitHub pull request and issue counts per state, as counted by the latest run for each repository.
SELECT *
FROM raw_activity
WHERE platform = 'github'
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY repo)
