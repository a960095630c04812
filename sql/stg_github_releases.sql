-- GitHub releases of tracked repositories as listed by the latest run that listed each repository.
SELECT *
FROM raw_releases
WHERE platform = 'github'
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY repo)
