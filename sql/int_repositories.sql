-- Tracked repositories of every platform as last observed, with the framework and role the
-- configuration gives them (NULL for a repository no longer configured).
--
-- Columns:
--   framework: framework the repository belongs to (catalogue_repositories)
--   role: configured role: primary (where development happens) or mirror
--   renamed: the platform now calls it by another name than the configured path
SELECT
    c.framework, c.role, r.*,
    lower(r.full_name) <> lower(r.repo) AS renamed
FROM stg_repositories AS r
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
