-- GitHub accounts: each account's latest profile, keyed by its numeric id (logins change). GitHub
-- Apps act as accounts whose login ends in [bot]; they are typed Bot whatever the payload said.
--
-- Columns:
--   type: User, Organization or Bot (GitHub App accounts, login ending in [bot])
SELECT * REPLACE (CASE WHEN login LIKE '%[bot]' THEN 'Bot' ELSE type END AS type)
FROM raw_accounts
WHERE platform = 'github'
QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY observed_at DESC, run_id DESC) = 1
