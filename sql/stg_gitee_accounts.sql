-- Gitee accounts: each account's latest profile, keyed by its numeric id. Gitee profiles have no
-- location field, so location is always NULL here: Gitee people are placed by company, email
-- domain, commit time zones or an account linked on another platform.
--
-- Columns:
--   location: always NULL (Gitee profiles have no location)
SELECT * REPLACE (NULL::VARCHAR AS location)
FROM raw_accounts
WHERE platform = 'gitee'
QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY observed_at DESC, run_id DESC) = 1
