-- Each framework's commits counted once across mirror copies: one row per framework and sha, with
-- the platforms it appears on and the platform it is credited to. A commit is credited to the
-- primary copy's platform when it appears there (or when the primary's history was not mined, since
-- a mirror only copies it); a commit found only on a mirror whose primary was mined stays with the
-- mirror. Mirrors are never credited with the primary's contributors.
--
-- Columns:
--   framework: framework the commit belongs to
--   sha: commit id
--   platforms: platforms whose copies hold the commit
--   repos: platform:repo of every copy holding it
--   home_platform: the platform credited with the commit
--   authored_at: author time in UTC
--   author_utc_offset_minutes: author's UTC offset in minutes
--   email_domain: author email domain
--   author_key: keyed hash of the author email
--   on_default_branch: reachable from the default branch of some copy
--   is_bot: the author is a bot
WITH placed AS (
    SELECT r.framework, r.role, c.*
    FROM stg_commits AS c
    JOIN int_repo_frameworks AS r USING (platform, repo)
),
primaries AS (
    SELECT r.framework, min(r.platform) AS primary_platform,
           bool_or(mined.repo IS NOT NULL) AS primary_mined
    FROM int_repo_frameworks AS r
    LEFT JOIN (SELECT DISTINCT platform, repo FROM stg_commits) AS mined USING (platform, repo)
    WHERE r.role = 'primary'
    GROUP BY r.framework
)
SELECT
    p.framework, p.sha,
    list_sort(list_distinct(list(p.platform))) AS platforms,
    list_sort(list_distinct(list(p.platform || ':' || p.repo))) AS repos,
    coalesce(
        min(p.platform) FILTER (WHERE p.role = 'primary'),
        CASE WHEN NOT any_value(m.primary_mined) THEN any_value(m.primary_platform) END,
        min(p.platform)
    ) AS home_platform,
    min(p.authored_at) AS authored_at,
    min(p.author_utc_offset_minutes) AS author_utc_offset_minutes,
    min(p.email_domain) AS email_domain,
    min(p.author_key) AS author_key,
    bool_or(p.on_default_branch) AS on_default_branch,
    bool_or(p.is_bot) AS is_bot
FROM placed AS p
LEFT JOIN primaries AS m USING (framework)
GROUP BY p.framework, p.sha
