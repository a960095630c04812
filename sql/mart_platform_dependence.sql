-- How much each framework relies on GitHub versus Gitee or a GitLab instance. Which copy is primary
-- and which are mirrors comes from the configuration, checked against the platforms' mirror fields
-- and evidence (a mirror without pull requests, pushed after its primary). Where development happens
-- is read from pull/merge requests and issues per platform. People are non-bot persons engaged with
-- the framework (credited contributors, stargazers, fork owners, dependent owners; organisations
-- excluded), present on a platform when they play a role there; a mirror is never credited with its
-- primary's contributors. A person may be present on several platforms, so people shares overlap;
-- stars and forks are the counts the platforms report.
--
-- github_dependence_index (0..1) = weighted mean of four GitHub shares, each over all platforms:
--   0.4 * development_share_github  ((pull requests + issues on GitHub) / (pull requests + issues))
--   0.2 * contributor_share_github   (credited contributors on GitHub / contributors)
--   0.2 * stars_share_github         (stars on GitHub / stars)
--   0.2 * forks_share_github         (forks on GitHub / forks)
-- A share whose denominator is 0 is left out and the remaining weights are rescaled to sum to 1;
-- NULL when all four are missing. 1 means everything happens on GitHub, 0 nothing does.
--
-- Columns:
--   framework: framework
--   primary_platform: platform of the primary copy (the configured primary with most pull requests and issues)
--   primary_repo: platform:path of that primary copy
--   primary_flagged_as_mirror: the platform itself marks the configured primary as a mirror (check the configuration)
--   mirrors: platform:path of each configured mirror
--   mirror_evidence: per mirror, the evidence that it is one (platform flag, no pull requests, when it was last
--     pushed relative to the primary, e.g. "last push 5 days after the primary")
--   mirrors_confirmed: mirrors that the platform flags or that have no pull requests
--   development_platform: platform with most pull/merge requests and issues
--   pull_requests_github: pull requests on GitHub copies (all states)
--   pull_requests_gitee: pull requests on Gitee copies
--   pull_requests_gitlab: merge requests on GitLab copies
--   issues_github: issues on GitHub copies (all states)
--   issues_gitee: issues on Gitee copies
--   issues_gitlab: issues on GitLab copies
--   development_share_github: (pull requests + issues on GitHub) / (pull requests + issues on all platforms)
--   contributors_total: denominator: non-bot people credited with the framework's work
--   contributors_github: of those, credited on GitHub
--   contributors_gitee: of those, credited on Gitee
--   contributors_gitlab: of those, credited on GitLab
--   contributor_share_github: contributors_github / contributors_total
--   people_total: denominator of the people shares: non-bot persons engaged with the framework
--   people_github: engaged persons present on GitHub
--   people_gitee: engaged persons present on Gitee
--   people_gitlab: engaged persons present on GitLab
--   people_share_github: people_github / people_total
--   people_share_gitee: people_gitee / people_total
--   people_share_gitlab: people_gitlab / people_total
--   people_only_github: engaged persons present on GitHub and on no other platform
--   people_only_github_share: people_only_github / people_total
--   people_on_several_platforms: engaged persons present on two or more platforms (the overlap)
--   overlap_share: people_on_several_platforms / people_total
--   stars_total: denominator: stars reported by every copy
--   stars_github: stars of GitHub copies
--   stars_gitee: stars of Gitee copies
--   stars_gitlab: stars of GitLab copies
--   stars_share_github: stars_github / stars_total
--   forks_total: denominator: forks reported by every copy
--   forks_github: forks of GitHub copies
--   forks_gitee: forks of Gitee copies
--   forks_gitlab: forks of GitLab copies
--   forks_share_github: forks_github / forks_total
--   dependents_github: dependents found by GitHub code search (a lower bound; no other platform is searched)
--   github_dependence_index: the 0..1 index defined above
WITH repos AS (
    SELECT c.framework, c.platform, c.repo, c.role, r.is_mirror, r.pushed_at, r.stars, r.forks,
           a.pull_requests, a.issues
    FROM catalogue_repositories AS c
    LEFT JOIN int_repositories AS r USING (platform, repo)
    LEFT JOIN int_activity AS a USING (platform, repo)
),
primaries AS (
    SELECT framework, platform AS primary_platform, platform || ':' || repo AS primary_repo,
           coalesce(is_mirror, false) AS primary_flagged_as_mirror, pushed_at AS primary_pushed_at
    FROM repos WHERE role = 'primary'
    QUALIFY row_number() OVER (
        PARTITION BY framework ORDER BY coalesce(pull_requests, 0) + coalesce(issues, 0) DESC, platform, repo) = 1
),
mirror_lags AS (
    -- how long before or after the primary's last push a mirror was last pushed, in a unit a reader
    -- takes in at a glance: hours under 2 days, days under 60 days, months under 2 years, else years
    SELECT framework, platform, repo, seconds,
        CASE WHEN abs(seconds) < 2 * 86400 THEN abs(seconds) / 3600.0
             WHEN abs(seconds) < 60 * 86400 THEN abs(seconds) / 86400.0
             WHEN abs(seconds) < 730.5 * 86400 THEN abs(seconds) / (30.4375 * 86400)
             ELSE abs(seconds) / (365.25 * 86400) END AS amount,
        CASE WHEN abs(seconds) < 2 * 86400 THEN 'hour'
             WHEN abs(seconds) < 60 * 86400 THEN 'day'
             WHEN abs(seconds) < 730.5 * 86400 THEN 'month'
             ELSE 'year' END AS unit
    FROM (
        SELECT m.framework, m.platform, m.repo, epoch(m.pushed_at - p.primary_pushed_at) AS seconds
        FROM repos AS m JOIN primaries AS p USING (framework)
        WHERE m.role = 'mirror' AND m.pushed_at IS NOT NULL AND p.primary_pushed_at IS NOT NULL
    )
),
lag_texts AS (
    -- one decimal where it says something (3.3 years), none where it would be .0 (5 days)
    SELECT framework, platform, repo,
        CASE WHEN seconds = 0 THEN 'last push at the same time as the primary'
             ELSE 'last push ' || CASE WHEN round(amount, 1) = round(amount) THEN round(amount)::BIGINT::VARCHAR
                                       ELSE round(amount, 1)::VARCHAR END
                  || ' ' || unit || CASE WHEN round(amount, 1) = 1 THEN '' ELSE 's' END
                  || CASE WHEN seconds < 0 THEN ' before' ELSE ' after' END || ' the primary' END AS lag_text
    FROM mirror_lags
),
mirrors AS (
    SELECT m.framework,
        list(m.platform || ':' || m.repo ORDER BY m.platform, m.repo) AS mirrors,
        list(concat_ws('; ',
            m.platform || ':' || m.repo || ': configured as a mirror',
            CASE WHEN m.is_mirror THEN 'the platform marks it a mirror' END,
            CASE WHEN m.pull_requests = 0 THEN 'no pull requests' END,
            l.lag_text
        ) ORDER BY m.platform, m.repo) AS mirror_evidence,
        count(*) FILTER (WHERE m.is_mirror OR m.pull_requests = 0) AS mirrors_confirmed
    FROM repos AS m LEFT JOIN lag_texts AS l USING (framework, platform, repo)
    WHERE m.role = 'mirror'
    GROUP BY m.framework
),
platform_sums AS (
    SELECT framework, platform, sum(pull_requests)::BIGINT AS pull_requests, sum(issues)::BIGINT AS issues,
           coalesce(sum(stars), 0)::BIGINT AS stars, coalesce(sum(forks), 0)::BIGINT AS forks,
           (coalesce(sum(pull_requests), 0) + coalesce(sum(issues), 0))::BIGINT AS development
    FROM repos GROUP BY framework, platform
),
development AS (
    SELECT framework,
        arg_max(platform, development) FILTER (WHERE development > 0) AS development_platform,
        max(pull_requests) FILTER (WHERE platform = 'github') AS pull_requests_github,
        max(pull_requests) FILTER (WHERE platform = 'gitee') AS pull_requests_gitee,
        max(pull_requests) FILTER (WHERE platform = 'gitlab') AS pull_requests_gitlab,
        max(issues) FILTER (WHERE platform = 'github') AS issues_github,
        max(issues) FILTER (WHERE platform = 'gitee') AS issues_gitee,
        max(issues) FILTER (WHERE platform = 'gitlab') AS issues_gitlab,
        sum(development) FILTER (WHERE platform = 'github') / nullif(sum(development), 0) AS development_share_github
    FROM platform_sums GROUP BY framework
),
reach AS (
    -- one row per framework and platform in platform_sums, so max() picks that platform's count
    SELECT f.framework,
        coalesce(sum(s.stars), 0)::BIGINT AS stars_total,
        coalesce(max(s.stars) FILTER (WHERE s.platform = 'github'), 0) AS stars_github,
        coalesce(max(s.stars) FILTER (WHERE s.platform = 'gitee'), 0) AS stars_gitee,
        coalesce(max(s.stars) FILTER (WHERE s.platform = 'gitlab'), 0) AS stars_gitlab,
        stars_github / nullif(stars_total, 0) AS stars_share_github,
        coalesce(sum(s.forks), 0)::BIGINT AS forks_total,
        coalesce(max(s.forks) FILTER (WHERE s.platform = 'github'), 0) AS forks_github,
        coalesce(max(s.forks) FILTER (WHERE s.platform = 'gitee'), 0) AS forks_gitee,
        coalesce(max(s.forks) FILTER (WHERE s.platform = 'gitlab'), 0) AS forks_gitlab,
        forks_github / nullif(forks_total, 0) AS forks_share_github
    FROM catalogue_frameworks AS f LEFT JOIN platform_sums AS s USING (framework)
    GROUP BY f.framework
),
presence AS (
    SELECT framework, platform, person_key, true AS credited FROM int_framework_people
    UNION ALL
    SELECT r.framework, r.platform, i.person_key, false
    FROM int_account_roles AS r
    JOIN int_accounts AS a USING (platform, account_id)
    JOIN int_identities AS i ON i.kind = 'account' AND i.platform = r.platform AND i.account_id = r.account_id
    WHERE r.role <> 'contributor' AND NOT a.is_bot AND coalesce(a.type, 'User') = 'User'
),
persons AS (
    SELECT framework, person_key,
        bool_or(platform = 'github') AS on_github,
        bool_or(platform = 'gitee') AS on_gitee,
        bool_or(platform = 'gitlab') AS on_gitlab,
        count(DISTINCT platform) AS platforms,
        bool_or(credited) AS credited,
        bool_or(credited AND platform = 'github') AS credited_github,
        bool_or(credited AND platform = 'gitee') AS credited_gitee,
        bool_or(credited AND platform = 'gitlab') AS credited_gitlab
    FROM presence GROUP BY framework, person_key
),
people AS (
    -- counted over every configured framework (count() of an unmatched row is 0)
    SELECT f.framework,
        count(p.person_key) FILTER (WHERE p.credited) AS contributors_total,
        count(p.person_key) FILTER (WHERE p.credited_github) AS contributors_github,
        count(p.person_key) FILTER (WHERE p.credited_gitee) AS contributors_gitee,
        count(p.person_key) FILTER (WHERE p.credited_gitlab) AS contributors_gitlab,
        contributors_github / nullif(contributors_total, 0) AS contributor_share_github,
        count(p.person_key) AS people_total,
        count(p.person_key) FILTER (WHERE p.on_github) AS people_github,
        count(p.person_key) FILTER (WHERE p.on_gitee) AS people_gitee,
        count(p.person_key) FILTER (WHERE p.on_gitlab) AS people_gitlab,
        people_github / nullif(people_total, 0) AS people_share_github,
        people_gitee / nullif(people_total, 0) AS people_share_gitee,
        people_gitlab / nullif(people_total, 0) AS people_share_gitlab,
        count(p.person_key) FILTER (WHERE p.on_github AND p.platforms = 1) AS people_only_github,
        people_only_github / nullif(people_total, 0) AS people_only_github_share,
        count(p.person_key) FILTER (WHERE p.platforms >= 2) AS people_on_several_platforms,
        people_on_several_platforms / nullif(people_total, 0) AS overlap_share
    FROM catalogue_frameworks AS f LEFT JOIN persons AS p USING (framework)
    GROUP BY f.framework
),
dependents AS (
    SELECT framework, count(*) AS dependents_github FROM stg_github_dependents GROUP BY framework
)
SELECT
    f.framework,
    pr.primary_platform, pr.primary_repo, pr.primary_flagged_as_mirror,
    coalesce(m.mirrors, []) AS mirrors,
    coalesce(m.mirror_evidence, []) AS mirror_evidence,
    coalesce(m.mirrors_confirmed, 0) AS mirrors_confirmed,
    dv.* EXCLUDE (framework),
    p.* EXCLUDE (framework),
    r.* EXCLUDE (framework),
    coalesce(d.dependents_github, 0) AS dependents_github,
    (0.4 * coalesce(dv.development_share_github, 0) + 0.2 * coalesce(p.contributor_share_github, 0)
        + 0.2 * coalesce(r.stars_share_github, 0) + 0.2 * coalesce(r.forks_share_github, 0))
    / nullif(0.4 * (dv.development_share_github IS NOT NULL)::INTEGER + 0.2 * (p.contributor_share_github IS NOT NULL)::INTEGER
        + 0.2 * (r.stars_share_github IS NOT NULL)::INTEGER + 0.2 * (r.forks_share_github IS NOT NULL)::INTEGER, 0)
        AS github_dependence_index
FROM catalogue_frameworks AS f
LEFT JOIN primaries AS pr USING (framework)
LEFT JOIN mirrors AS m USING (framework)
LEFT JOIN development AS dv USING (framework)
LEFT JOIN people AS p USING (framework)
LEFT JOIN reach AS r USING (framework)
LEFT JOIN dependents AS d USING (framework)
