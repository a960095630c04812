-- Each framework's configured copies summed per platform: one row per framework and platform that
-- holds a copy, with the reach (stars, forks) and the development (pull/merge requests and issues) the
-- platform reports for them, and the configured role there.
--
-- Columns:
--   framework: framework
--   platform: platform holding the copies (catalogue_platforms)
--   role: primary when a configured primary is on the platform, else mirror
--   copies: configured copies of the framework on the platform
--   pull_requests: pull/merge requests of those copies, all states (NULL when none was counted)
--   issues: issues of those copies, all states (NULL when none was counted)
--   development: pull_requests + issues (0 when none was counted)
--   stars: stars those copies report
--   forks: forks those copies report
--   last_push_at: latest push to any of those copies
SELECT
    c.framework, c.platform,
    CASE WHEN bool_or(c.role = 'primary') THEN 'primary' ELSE 'mirror' END AS role,
    count(*) AS copies,
    sum(a.pull_requests)::BIGINT AS pull_requests,
    sum(a.issues)::BIGINT AS issues,
    (coalesce(sum(a.pull_requests), 0) + coalesce(sum(a.issues), 0))::BIGINT AS development,
    coalesce(sum(r.stars), 0)::BIGINT AS stars,
    coalesce(sum(r.forks), 0)::BIGINT AS forks,
    max(r.pushed_at) AS last_push_at
FROM catalogue_repositories AS c
LEFT JOIN int_repositories AS r USING (platform, repo)
LEFT JOIN int_activity AS a USING (platform, repo)
GROUP BY c.framework, c.platform
