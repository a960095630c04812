-- Stargazers of tracked repositories on every platform, current list: the latest full listing plus
-- stars found by later incremental listings (int_listing_windows); unstarring shows at the next
-- full listing.
SELECT s.*
FROM raw_stargazers AS s
JOIN int_listing_windows AS w ON (w.platform, w.repo, w.listing) = (s.platform, s.repo, 'stargazers')
WHERE s.observed_at >= w.window_start
QUALIFY row_number() OVER (PARTITION BY s.platform, s.repo, s.account_id ORDER BY s.observed_at DESC, s.run_id DESC) = 1
