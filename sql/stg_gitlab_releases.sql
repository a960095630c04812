-- GitLab releases of tracked projects as listed by the latest run that listed each project. GitLab
-- keys releases by tag (release_id is NULL), so a tag listed twice counts once.
SELECT * FROM raw_releases
WHERE platform = 'gitlab'
QUALIFY max_by(run_id, observed_at) OVER (PARTITION BY repo) = run_id
    AND row_number() OVER (PARTITION BY repo, tag_name ORDER BY observed_at DESC) = 1
