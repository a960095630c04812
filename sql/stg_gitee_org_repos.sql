-- Other repositories of the vendors' Gitee organisations (enterprises' public repositories), as
-- listed by the latest run that listed each organisation.
SELECT * FROM raw_org_repos
WHERE platform = 'gitee'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY org) = run_id
