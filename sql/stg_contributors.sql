-- Contributor lists of every platform as of the latest run that listed each repository. Entries of
-- kind account are linked to an account (GitHub, with anon=1); entries of kind anonymous (GitHub did
-- not link them: it links only a repository's first 500 author emails) and of kind email (Gitee and
-- GitLab list name and email only, linked to no account; one email may appear under several names)
-- are email identities (author_key).
SELECT *
FROM raw_contributors
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY platform, repo)
