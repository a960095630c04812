-- Forks of tracked repositories on every platform, current list: the rows of the latest full
-- listing plus forks found by later incremental listings (see int_listing_windows), each fork as
-- last observed (pushed_at of known forks is refreshed between full listings).
SELECT f.*
FROM raw_forks AS f
JOIN int_listing_windows AS w ON w.platform = f.platform AND w.repo = f.repo AND w.listing = 'forks'
WHERE f.observed_at >= w.window_start
QUALIFY row_number() OVER (PARTITION BY f.platform, f.repo, f.fork_id ORDER BY f.observed_at DESC, f.run_id DESC) = 1
