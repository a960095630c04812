-- The people who build each framework, credited to a platform: one row per framework, platform and
-- person. People are counted from git history where the framework's commits were mined (non-bot
-- authors of default-branch commits, each commit once across mirror copies and credited to its home
-- platform, int_framework_commits); contributor lists are the second source, used only for
-- frameworks without mined history and only from primary repositories (a mirror's list repeats the
-- primary's authors). Bots are excluded.
--
-- Columns:
--   framework: framework
--   platform: platform credited with the person's work
--   person_key: the person (int_identities.person_key)
--   contributions: default-branch commits (source commits) or the list's contribution counts
--   source: commits or contributor_list
--   first_contribution_at: author time of the person's first commit (NULL for contributor lists)
--   last_contribution_at: author time of the person's latest commit (NULL for contributor lists)
WITH commit_people AS (
    SELECT c.framework, c.home_platform AS platform, i.person_key, count(*) AS contributions,
           'commits' AS source, min(c.authored_at) AS first_contribution_at, max(c.authored_at) AS last_contribution_at
    FROM int_framework_commits AS c
    JOIN int_identities AS i ON i.identity = 'email:' || c.author_key
    WHERE c.on_default_branch AND NOT c.is_bot AND NOT i.is_bot
    GROUP BY c.framework, c.home_platform, i.person_key
),
list_people AS (
    SELECT e.framework, e.platform, i.person_key, sum(coalesce(e.contributions, 0))::BIGINT AS contributions,
           'contributor_list' AS source, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ
    FROM int_contributors AS e
    JOIN int_identities AS i USING (identity)
    ANTI JOIN (SELECT DISTINCT framework FROM int_framework_commits) AS mined USING (framework)
    WHERE e.role = 'primary' AND NOT i.is_bot
    GROUP BY e.framework, e.platform, i.person_key
)
SELECT * FROM commit_people
UNION ALL
SELECT * FROM list_people
