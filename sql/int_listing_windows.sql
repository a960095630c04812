-- Which landed rows make up the current fork and stargazer lists of each repository. A listing is
-- either full (every item), incremental (newest first, stopped at the first known item) or
-- unchanged; the current list is the latest full listing plus everything landed after it. Where no
-- listing was ever recorded for a repository, each run that landed items counts as a full listing.
--
-- Columns:
--   platform: github, gitee or gitlab
--   repo: tracked repository path as configured
--   listing: forks or stargazers
--   full_run_id: run of the latest full listing (NULL when listings were recorded but none was full)
--   window_start: rows observed at or after this time belong to the current list
--   latest_mode: mode of the latest recorded listing: full, incremental, unchanged (NULL when none was recorded)
--   latest_reported_total: count the platform reported at the latest listing (compare with the items listed)
--   latest_listed_at: when the latest listing was recorded
WITH items AS (
    SELECT platform, repo, 'forks' AS listing, run_id, min(observed_at) AS first_seen, max(observed_at) AS last_seen
    FROM raw_forks GROUP BY ALL
    UNION ALL
    SELECT platform, repo, 'stargazers', run_id, min(observed_at), max(observed_at)
    FROM raw_stargazers GROUP BY ALL
),
recorded AS (
    SELECT platform, repo, listing, mode, run_id, observed_at, reported_total
    FROM raw_listings WHERE listing IN ('forks', 'stargazers')
),
full_listings AS (
    SELECT platform, repo, listing, run_id, observed_at AS listed_at FROM recorded WHERE mode = 'full'
    UNION ALL
    SELECT platform, repo, listing, run_id, last_seen FROM items
    ANTI JOIN recorded USING (platform, repo, listing)
),
latest_full AS (
    SELECT platform, repo, listing, arg_max(run_id, listed_at) AS full_run_id, max(listed_at) AS full_listed_at
    FROM full_listings GROUP BY ALL
),
latest_recorded AS (
    SELECT platform, repo, listing, arg_max(mode, observed_at) AS latest_mode,
           arg_max(reported_total, observed_at) AS latest_reported_total, max(observed_at) AS latest_listed_at
    FROM recorded GROUP BY ALL
),
listed AS (
    SELECT DISTINCT platform, repo, listing FROM items
    UNION SELECT DISTINCT platform, repo, listing FROM recorded
)
SELECT
    l.platform, l.repo, l.listing, f.full_run_id,
    coalesce(least(i.first_seen, f.full_listed_at), f.full_listed_at, '-infinity'::TIMESTAMPTZ) AS window_start,
    r.latest_mode, r.latest_reported_total, r.latest_listed_at
FROM listed AS l
LEFT JOIN latest_full AS f USING (platform, repo, listing)
LEFT JOIN items AS i ON i.platform = l.platform AND i.repo = l.repo AND i.listing = l.listing AND i.run_id = f.full_run_id
LEFT JOIN latest_recorded AS r USING (platform, repo, listing)
