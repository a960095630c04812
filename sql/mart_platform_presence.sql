-- Each framework on each configured forge, one row per framework and platform (every platform of
-- catalogue_platforms, so that a platform without a copy or anyone there shows as zeros): the API it
-- speaks, where its operator is based, the role of the framework's copies there, the people present
-- there (credited contributors, stargazers, fork owners, dependent owners; non-bot persons,
-- organisations excluded; a person may be present on several platforms, so people shares overlap and
-- do not sum to 1), their contributions, the stars, forks and development the copies report, and the
-- dependents found there. Every share has its denominator, the framework's total over all platforms,
-- in a column of its own. Forges only: bare git clones are no platform of their own, and model hubs
-- (catalogue_platforms.kind = 'hub') are in mart_model_adoption and mart_model_platform_dependence.
--
-- Columns:
--   framework: framework
--   platform: platform instance NAME (catalogue_platforms)
--   api: API dialect the platform speaks (github, gitee, gitlab)
--   operator_country: ISO 3166-1 alpha-2 code of where the platform's operator is based (NULL: unknown)
--   role: role of the framework's configured copies there: primary, mirror, or NULL (no copy)
--   people: non-bot persons engaged with the framework present on the platform
--   people_total: denominator of people_share and people_only_share: persons engaged with the framework anywhere
--   people_share: people / people_total
--   people_only: persons present on this platform and on no other
--   people_only_share: people_only / people_total
--   contributors: persons credited with the framework's work on the platform
--   contributors_total: denominator of contributor_share: persons credited anywhere
--   contributor_share: contributors / contributors_total
--   contributions: contributions credited on the platform (default-branch commits, or contributor-list counts)
--   contributions_total: denominator of contribution_share: contributions credited anywhere
--   contribution_share: contributions / contributions_total
--   stars: stars of the framework's copies on the platform
--   stars_total: denominator of stars_share: stars of every copy
--   stars_share: stars / stars_total
--   forks: forks of the framework's copies on the platform
--   forks_total: denominator of forks_share: forks of every copy
--   forks_share: forks / forks_total
--   dependents: dependent repositories found by code search on the platform (a lower bound; only
--     platforms whose API searches code have any)
--   dependents_total: denominator of dependents_share: dependents found anywhere
--   dependents_share: dependents / dependents_total
--   pull_requests: pull/merge requests of the copies (all states; NULL when no copy was counted)
--   issues: issues of the copies (all states; NULL when no copy was counted)
--   development_total: denominator of development_share: pull requests and issues on every platform
--   development_share: (pull_requests + issues) / development_total
--   last_push_at: latest push to any of the framework's copies on the platform
WITH grid AS (
    SELECT f.framework, p.platform, p.api, p.operator_country
    FROM catalogue_frameworks AS f CROSS JOIN catalogue_platforms AS p
    WHERE coalesce(p.kind, 'forge') = 'forge'  -- model hubs have marts of their own (mart_model_*)
),
persons AS (
    SELECT framework, person_key, count(DISTINCT platform) AS platforms,
           bool_or(credited) AS credited, sum(contributions) AS contributions
    FROM int_platform_people GROUP BY framework, person_key
),
people AS (
    SELECT e.framework, e.platform,
        count(*) AS people,
        count(*) FILTER (WHERE p.platforms = 1) AS people_only,
        count(*) FILTER (WHERE e.credited) AS contributors,
        sum(e.contributions)::BIGINT AS contributions
    FROM int_platform_people AS e JOIN persons AS p USING (framework, person_key)
    GROUP BY e.framework, e.platform
),
people_totals AS (
    SELECT framework, count(*) AS people_total, count(*) FILTER (WHERE credited) AS contributors_total,
           sum(contributions)::BIGINT AS contributions_total
    FROM persons GROUP BY framework
),
dependents AS (
    SELECT framework, platform, count(*) AS dependents FROM stg_dependents GROUP BY framework, platform
),
cells AS (
    SELECT g.*, c.role,
        coalesce(pe.people, 0) AS people, coalesce(pe.people_only, 0) AS people_only,
        coalesce(pe.contributors, 0) AS contributors, coalesce(pe.contributions, 0) AS contributions,
        coalesce(c.stars, 0) AS stars, coalesce(c.forks, 0) AS forks, coalesce(d.dependents, 0) AS dependents,
        c.pull_requests, c.issues, coalesce(c.development, 0) AS development, c.last_push_at
    FROM grid AS g
    LEFT JOIN int_platform_copies AS c USING (framework, platform)
    LEFT JOIN people AS pe USING (framework, platform)
    LEFT JOIN dependents AS d USING (framework, platform)
),
totals AS (
    SELECT r.framework,
        coalesce(any_value(t.people_total), 0) AS people_total,
        coalesce(any_value(t.contributors_total), 0) AS contributors_total,
        coalesce(any_value(t.contributions_total), 0) AS contributions_total,
        sum(r.stars)::BIGINT AS stars_total, sum(r.forks)::BIGINT AS forks_total,
        sum(r.dependents)::BIGINT AS dependents_total, sum(r.development)::BIGINT AS development_total
    FROM cells AS r LEFT JOIN people_totals AS t USING (framework)
    GROUP BY r.framework
)
SELECT
    r.framework, r.platform, r.api, r.operator_country, r.role,
    r.people, t.people_total, r.people / nullif(t.people_total, 0) AS people_share,
    r.people_only, r.people_only / nullif(t.people_total, 0) AS people_only_share,
    r.contributors, t.contributors_total, r.contributors / nullif(t.contributors_total, 0) AS contributor_share,
    r.contributions, t.contributions_total, r.contributions / nullif(t.contributions_total, 0) AS contribution_share,
    r.stars, t.stars_total, r.stars / nullif(t.stars_total, 0) AS stars_share,
    r.forks, t.forks_total, r.forks / nullif(t.forks_total, 0) AS forks_share,
    r.dependents, t.dependents_total, r.dependents / nullif(t.dependents_total, 0) AS dependents_share,
    r.pull_requests, r.issues,
    t.development_total, r.development / nullif(t.development_total, 0) AS development_share,
    r.last_push_at
FROM cells AS r JOIN totals AS t USING (framework)
