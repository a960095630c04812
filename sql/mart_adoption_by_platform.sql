-- Forks of each framework per platform and month: where adoption happens (all copies, mirrors' forks
-- included). One row per framework, platform and month in which forks were created there; the
-- months of mart_downstream_adoption are the sum over its platforms.
--
-- Columns:
--   framework: framework
--   platform: platform the forks were created on (catalogue_platforms)
--   month: first day of the calendar month (UTC)
--   new_forks: forks created on the platform in the month
--   new_active_forks: of those, forks pushed to more than a day after creation
--   forks_with_stars: of those, forks with at least one star
SELECT framework, platform, date_trunc('month', created_at)::DATE AS month,
    count(*) AS new_forks,
    count(*) FILTER (WHERE is_active) AS new_active_forks,
    count(*) FILTER (WHERE has_stars) AS forks_with_stars
FROM int_forks
WHERE framework IS NOT NULL AND created_at IS NOT NULL
GROUP BY framework, platform, month
