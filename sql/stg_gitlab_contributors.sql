-- GitLab contributor lists (repository/contributors) as of the latest run that listed each project.
-- GitLab lists name, email and commit counts per pair of name and email, linked to no user, so
-- entries are email identities; one email may appear under several names.
--
-- Columns:
--   kind: always email (GitLab links no entry to a user)
--   account_id: always NULL on GitLab
--   login: always NULL on GitLab
SELECT * REPLACE ('email' AS kind, NULL::BIGINT AS account_id, NULL::VARCHAR AS login)
FROM raw_contributors
WHERE platform = 'gitlab'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY repo) = run_id
