-- GitLab users and groups: each account's latest profile, keyed by its numeric id (groups that own
-- forks or projects are typed Organization by the source).
SELECT *
FROM raw_accounts
WHERE platform = 'gitlab'
QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY observed_at DESC) = 1
