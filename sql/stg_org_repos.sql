-- Other repositories of the vendors' organisations on every platform (Gitee enterprises' public
-- repositories, GitLab groups' projects with their subgroups'), as listed by the latest run that listed
-- each organisation.
SELECT *
FROM raw_org_repos
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY platform, org)
