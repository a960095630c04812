-- Current forks of tracked repositories on every platform, with framework, role and the activity
-- flags of the adoption mart.
--
-- Columns:
--   framework: framework of the forked repository
--   role: configured role of the forked repository (forks of mirrors are adoption too)
--   is_active: pushed to more than a day after it was created (a fork that lives on)
--   has_stars: the fork itself has at least one star
SELECT
    c.framework, c.role, f.*,
    coalesce(f.pushed_at > f.created_at + INTERVAL 1 DAY, false) AS is_active,
    coalesce(f.stars, 0) > 0 AS has_stars
FROM stg_forks AS f
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
