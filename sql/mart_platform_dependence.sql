-- How much each framework relies on GitHub, and on platforms operated outside mainland China, versus
-- Gitee or a GitLab instance; per platform figures are in mart_platform_presence. Which copy is
-- primary and which are mirrors comes from the configuration, checked against the platforms' mirror
-- fields and evidence (a mirror without pull requests, pushed after its primary). Where development
-- happens is read from pull/merge requests and issues per platform. People are non-bot persons engaged
-- with the framework (credited contributors, stargazers, fork owners, dependent owners; organisations
-- excluded), present on a platform when they play a role there (int_platform_people); a mirror is
-- never credited with its primary's contributors. Stars and forks are the counts the platforms report.
-- "GitHub" is every platform that speaks the github API (catalogue_platforms.api); "foreign-operated"
-- every platform whose operator_country is known and not CN (HK, MO and TW have their own codes).
--
-- github_dependence_index (0..1) = weighted mean of four GitHub shares, each over all platforms:
--   0.4 * development_share_github  ((pull requests + issues on GitHub) / (pull requests + issues);
--                                     missing when the framework has no copy on GitHub)
--   0.2 * contributor_share_github   (credited contributors on GitHub / contributors)
--   0.2 * stars_share_github         (stars on GitHub / stars)
--   0.2 * forks_share_github         (forks on GitHub / forks)
-- foreign_platform_dependence_index (0..1) = the same weighted mean of the four shares of the
-- foreign-operated platforms (development_share_foreign, contributor_share_foreign,
-- stars_share_foreign, forks_share_foreign), so that GitHub and gitlab.com count alike and
-- a JiHu GitLab (CN) counts with Gitee. While a platform the framework uses has no known operator
-- (catalogue_platforms.operator_country NULL, e.g. in a database upgraded from before it was configured),
-- the foreign shares, counts and index are NULL: unknown, not 0.
-- In both, a share whose denominator is 0 is left out and the remaining weights are rescaled to sum
-- to 1; NULL when all four are missing. 1 means everything happens there, 0 nothing does.
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
--   development_total: denominator of the development shares: pull requests + issues on all platforms
--   development_share_github: (pull requests + issues on GitHub) / development_total
--   development_share_foreign: (pull requests + issues on foreign-operated platforms) / development_total
--   contributors_total: denominator of the contributor shares: non-bot people credited with the framework's work
--   contributor_share_github: contributors credited on GitHub / contributors_total
--   contributor_share_foreign: contributors credited on a foreign-operated platform / contributors_total
--   people_total: denominator of the people shares: non-bot persons engaged with the framework
--   people_only_github: engaged persons present on GitHub and on no other platform
--   people_only_github_share: people_only_github / people_total
--   people_only_foreign_operated: engaged persons present only on foreign-operated platforms
--   people_only_foreign_operated_share: people_only_foreign_operated / people_total
--   people_on_several_platforms: engaged persons present on two or more platforms (the overlap)
--   overlap_share: people_on_several_platforms / people_total
--   stars_total: denominator of the stars shares: stars reported by every copy
--   stars_share_github: stars of GitHub copies / stars_total
--   stars_share_foreign: stars of copies on foreign-operated platforms / stars_total
--   forks_total: denominator of the forks shares: forks reported by every copy
--   forks_share_github: forks of GitHub copies / forks_total
--   forks_share_foreign: forks of copies on foreign-operated platforms / forks_total
--   dependents: dependents found by code search (a lower bound; only GitHub's API searches code)
--   github_dependence_index: the 0..1 index defined above
--   foreign_platform_dependence_index: the 0..1 index defined above
WITH repos AS (
    SELECT c.framework, c.platform, c.repo, c.role, r.is_mirror, r.pushed_at, a.pull_requests, a.issues
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
platforms AS (
    SELECT platform, api = 'github' AS is_github, operator_country <> 'CN' AS is_foreign  -- NULL: operator unknown
    FROM catalogue_platforms WHERE coalesce(kind, 'forge') = 'forge'  -- hubs: mart_model_platform_dependence
),
copies AS (
    -- a framework's copies per platform, each platform once, so sums over them are the platforms' counts
    SELECT c.*, coalesce(p.is_github, false) AS is_github, p.is_foreign
    FROM int_platform_copies AS c LEFT JOIN platforms AS p USING (platform)
),
reach AS (
    SELECT f.framework,
        arg_max(c.platform, c.development) FILTER (WHERE c.development > 0) AS development_platform,
        coalesce(sum(c.development), 0)::BIGINT AS development_total,
        sum(c.development) FILTER (WHERE c.is_github) / nullif(development_total, 0) AS development_share_github,
        coalesce(bool_and(c.is_foreign IS NOT NULL), true) AS operators_known,
        CASE WHEN operators_known THEN sum(c.development) FILTER (WHERE c.is_foreign) / nullif(development_total, 0)
             END AS development_share_foreign,
        coalesce(sum(c.stars), 0)::BIGINT AS stars_total,
        coalesce(sum(c.stars) FILTER (WHERE c.is_github), 0) / nullif(stars_total, 0) AS stars_share_github,
        CASE WHEN operators_known THEN coalesce(sum(c.stars) FILTER (WHERE c.is_foreign), 0) / nullif(stars_total, 0)
             END AS stars_share_foreign,
        coalesce(sum(c.forks), 0)::BIGINT AS forks_total,
        coalesce(sum(c.forks) FILTER (WHERE c.is_github), 0) / nullif(forks_total, 0) AS forks_share_github,
        CASE WHEN operators_known THEN coalesce(sum(c.forks) FILTER (WHERE c.is_foreign), 0) / nullif(forks_total, 0)
             END AS forks_share_foreign
    FROM catalogue_frameworks AS f LEFT JOIN copies AS c USING (framework)
    GROUP BY f.framework
),
persons AS (
    SELECT e.framework, e.person_key,
        count(DISTINCT e.platform) AS platforms,
        bool_or(e.credited) AS credited,
        bool_or(e.credited AND coalesce(p.is_github, false)) AS credited_github,
        bool_or(e.credited AND coalesce(p.is_foreign, false)) AS credited_foreign,
        bool_and(p.is_foreign IS NOT NULL) AS platforms_known,
        bool_and(coalesce(p.is_github, false)) AS only_github,
        bool_and(coalesce(p.is_foreign, false)) AS only_foreign
    FROM int_platform_people AS e LEFT JOIN platforms AS p USING (platform)
    GROUP BY e.framework, e.person_key
),
people AS (
    -- counted over every configured framework (count() of an unmatched row is 0)
    SELECT f.framework,
        count(p.person_key) FILTER (WHERE p.credited) AS contributors_total,
        count(p.person_key) FILTER (WHERE p.credited_github) / nullif(contributors_total, 0) AS contributor_share_github,
        coalesce(bool_and(p.platforms_known), true) AS operators_known,
        CASE WHEN operators_known THEN count(p.person_key) FILTER (WHERE p.credited_foreign) / nullif(contributors_total, 0)
             END AS contributor_share_foreign,
        count(p.person_key) AS people_total,
        count(p.person_key) FILTER (WHERE p.only_github) AS people_only_github,
        people_only_github / nullif(people_total, 0) AS people_only_github_share,
        CASE WHEN operators_known THEN count(p.person_key) FILTER (WHERE p.only_foreign) END AS people_only_foreign_operated,
        people_only_foreign_operated / nullif(people_total, 0) AS people_only_foreign_operated_share,
        count(p.person_key) FILTER (WHERE p.platforms >= 2) AS people_on_several_platforms,
        people_on_several_platforms / nullif(people_total, 0) AS overlap_share
    FROM catalogue_frameworks AS f LEFT JOIN persons AS p USING (framework)
    GROUP BY f.framework
),
dependents AS (
    SELECT framework, count(*) AS dependents FROM stg_dependents GROUP BY framework
)
SELECT
    f.framework,
    pr.primary_platform, pr.primary_repo, pr.primary_flagged_as_mirror,
    coalesce(m.mirrors, []) AS mirrors,
    coalesce(m.mirror_evidence, []) AS mirror_evidence,
    coalesce(m.mirrors_confirmed, 0) AS mirrors_confirmed,
    r.development_platform, r.development_total, r.development_share_github, r.development_share_foreign,
    p.contributors_total, p.contributor_share_github, p.contributor_share_foreign,
    p.people_total, p.people_only_github, p.people_only_github_share,
    p.people_only_foreign_operated, p.people_only_foreign_operated_share,
    p.people_on_several_platforms, p.overlap_share,
    r.stars_total, r.stars_share_github, r.stars_share_foreign,
    r.forks_total, r.forks_share_github, r.forks_share_foreign,
    coalesce(d.dependents, 0) AS dependents,
    (0.4 * coalesce(r.development_share_github, 0) + 0.2 * coalesce(p.contributor_share_github, 0)
        + 0.2 * coalesce(r.stars_share_github, 0) + 0.2 * coalesce(r.forks_share_github, 0))
    / nullif(0.4 * (r.development_share_github IS NOT NULL)::INTEGER + 0.2 * (p.contributor_share_github IS NOT NULL)::INTEGER
        + 0.2 * (r.stars_share_github IS NOT NULL)::INTEGER + 0.2 * (r.forks_share_github IS NOT NULL)::INTEGER, 0)
        AS github_dependence_index,
    (0.4 * coalesce(r.development_share_foreign, 0) + 0.2 * coalesce(p.contributor_share_foreign, 0)
        + 0.2 * coalesce(r.stars_share_foreign, 0) + 0.2 * coalesce(r.forks_share_foreign, 0))
    / nullif(0.4 * (r.development_share_foreign IS NOT NULL)::INTEGER + 0.2 * (p.contributor_share_foreign IS NOT NULL)::INTEGER
        + 0.2 * (r.stars_share_foreign IS NOT NULL)::INTEGER + 0.2 * (r.forks_share_foreign IS NOT NULL)::INTEGER, 0)
        AS foreign_platform_dependence_index
FROM catalogue_frameworks AS f
LEFT JOIN primaries AS pr USING (framework)
LEFT JOIN mirrors AS m USING (framework)
LEFT JOIN reach AS r USING (framework)
LEFT JOIN people AS p USING (framework)
LEFT JOIN dependents AS d USING (framework)
