-- Current stargazers of tracked repositories on every platform, with framework and role.
--
-- Columns:
--   framework: framework of the starred repository
--   role: configured role of the starred repository
SELECT c.framework, c.role, s.*
FROM (FROM stg_github_stargazers UNION ALL BY NAME FROM stg_gitee_stargazers UNION ALL BY NAME FROM stg_gitlab_stargazers) AS s
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
