-- Accounts of every platform: each account's latest profile, keyed by (platform, id) (logins change).
-- GitHub Apps act as accounts whose login ends in [bot] (no other forge allows [ in a login); they are
-- typed Bot whatever the payload said. Gitee profiles have no location field (location is NULL there):
-- Gitee people are placed by company, email domain, commit time zones or an account linked elsewhere.
--
-- Columns:
--   type: User, Organization or Bot (GitHub App accounts, login ending in [bot])
SELECT * REPLACE (CASE WHEN login LIKE '%[bot]' THEN 'Bot' ELSE type END AS type)
FROM raw_accounts
QUALIFY row_number() OVER (PARTITION BY platform, account_id ORDER BY observed_at DESC, run_id DESC) = 1
