-- Releases of tracked repositories on every platform as listed by the latest run that listed each
-- repository. A release without an id (GitLab keys releases by tag) counts once per tag.
SELECT *
FROM raw_releases
QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY platform, repo)
    AND (release_id IS NOT NULL
         OR row_number() OVER (PARTITION BY platform, repo, release_id IS NULL, tag_name ORDER BY observed_at DESC) = 1)
