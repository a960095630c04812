-- Other repositories of the vendors' GitHub organisations, as listed by the latest run that listed
-- each organisation.
SELECT *
FROM raw_org_repos
WHERE platform = 'github'
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY org)
