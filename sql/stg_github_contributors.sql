-- GitHub contributor lists as of the latest run that listed each repository (with anon=1): entries
-- of kind account are linked to a GitHub account; entries of kind anonymous are email identities
-- (author_key) that GitHub did not link (it links only a repository's first 500 author emails).
SELECT *
FROM raw_contributors
WHERE platform = 'github'
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY repo)
