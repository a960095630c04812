-- Current stargazers of tracked repositories on every platform, with framework and role.
--
-- Columns:
--   framework: framework of the starred repository
--   role: configured role of the starred repository
SELECT c.framework, c.role, s.*
FROM stg_stargazers AS s
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
