-- Projects of the vendors' GitLab groups (subgroups included), as listed by the latest run that
-- listed each group.
SELECT * FROM raw_org_repos
WHERE platform = 'gitlab'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY org) = run_id
