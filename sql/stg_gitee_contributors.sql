-- Gitee contributor lists as of the latest run that listed each repository. Gitee lists name and
-- email only, so every entry is an email identity (author_key), never an account.
--
-- Columns:
--   kind: always email (Gitee links no entry to an account)
--   account_id: always NULL on Gitee
--   login: always NULL on Gitee
SELECT * REPLACE ('email' AS kind, NULL::BIGINT AS account_id, NULL::VARCHAR AS login)
FROM raw_contributors
WHERE platform = 'gitee'
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY repo)
