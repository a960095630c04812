-- GitHub repositories as last observed: one row per tracked repository (its latest observation).
-- GitHub marks a mirror by a mirror_url, so a set mirror_url makes is_mirror true.
--
-- Columns:
--   is_mirror: GitHub gives the repository a mirror_url (or the source said it is a mirror)
SELECT * REPLACE (coalesce(is_mirror, false) OR mirror_url IS NOT NULL AS is_mirror)
FROM raw_repositories
WHERE platform = 'github'
QUALIFY row_number() OVER (PARTITION BY repo ORDER BY observed_at DESC, run_id DESC) = 1
