-- Who builds on each framework, month by month: forks created (all platforms and copies, mirrors'
-- forks included: adoption happens wherever users are), how many of them live on (active: pushed to
-- more than a day after creation), how many earned stars (per platform: mart_adoption_by_platform),
-- dependents found by code search (GitHub's)
-- (dated by the run that first found them; a lower bound: search caps at 1,000 results and indexes
-- only some files, and the flag says when the latest search was incomplete), and the adopters behind
-- them: fork and dependent owners counted once, in the month of their first adoption, bots excluded,
-- with their places and organisations.
--
-- Columns:
--   framework: framework
--   month: first day of the calendar month (UTC)
--   new_forks: forks created in the month
--   new_active_forks: of those, forks pushed to more than a day after creation
--   active_share: denominator new_forks: new_active_forks / new_forks
--   new_forks_with_stars: of those, forks with at least one star
--   forks_to_date: forks created up to the end of the month (current forks only: deleted ones are gone)
--   active_forks_to_date: active forks among forks_to_date
--   new_dependents: dependent repositories first found in the month (by code search: GitHub only)
--   dependents_to_date: dependents found up to the end of the month
--   dependents_search_incomplete: the framework's latest dependents search was incomplete (more exist)
--   new_adopters: non-bot fork or dependent owners (people and organisations) adopting for the first time
--   new_adopter_organisations: of those, organisations
--   adopter_organisations: logins of those organisations (the first 20 by login)
--   new_adopters_located: denominator of new_adopters_cn_share: new adopters with a known place
--   new_adopters_cn: new adopters placed in mainland China
--   new_adopters_cn_share: new_adopters_cn / new_adopters_located
--   adopter_countries: new adopters per country, most first, e.g. "CN 12, US 3"
WITH forks AS (
    SELECT framework, date_trunc('month', created_at)::DATE AS month, platform, is_active, has_stars,
           owner_id AS account_id
    FROM int_forks
    WHERE framework IS NOT NULL AND created_at IS NOT NULL
),
first_found AS (
    SELECT platform, framework, repo_id, min(observed_at) AS found_at FROM raw_dependents GROUP BY platform, framework, repo_id
),
dependents AS (
    SELECT d.framework, date_trunc('month', f.found_at)::DATE AS month, d.platform, d.owner_id AS account_id
    FROM stg_dependents AS d
    JOIN first_found AS f USING (platform, framework, repo_id)
),
adoptions AS (
    SELECT framework, month, platform, account_id FROM forks
    UNION ALL
    SELECT framework, month, platform, account_id FROM dependents
),
adopters AS (
    SELECT a.framework, i.person_key, min(a.month) AS month,
           bool_or(acc.type = 'Organization') AS is_organisation,
           min(acc.login) FILTER (WHERE acc.type = 'Organization') AS organisation_login
    FROM adoptions AS a
    JOIN int_accounts AS acc ON acc.platform = a.platform AND acc.account_id = a.account_id
    JOIN int_identities AS i ON i.kind = 'account' AND i.platform = a.platform AND i.account_id = a.account_id
    WHERE NOT acc.is_bot
    GROUP BY a.framework, i.person_key
),
placed_adopters AS (
    SELECT a.*, g.country_iso2 FROM adopters AS a LEFT JOIN int_person_geography AS g USING (person_key)
),
adopter_stats AS (
    SELECT framework, month,
        count(*) AS new_adopters,
        count(*) FILTER (WHERE is_organisation) AS new_adopter_organisations,
        list(organisation_login ORDER BY organisation_login) FILTER (WHERE is_organisation) AS organisation_logins,
        count(country_iso2) AS new_adopters_located,
        count(*) FILTER (WHERE country_iso2 = 'CN') AS new_adopters_cn
    FROM placed_adopters GROUP BY framework, month
),
countries AS (
    SELECT framework, month, string_agg(country_iso2 || ' ' || people, ', ' ORDER BY people DESC, country_iso2) AS adopter_countries
    FROM (
        SELECT framework, month, country_iso2, count(*) AS people
        FROM placed_adopters WHERE country_iso2 IS NOT NULL GROUP BY ALL
    ) GROUP BY framework, month
),
fork_stats AS (
    SELECT framework, month,
        count(*) AS new_forks,
        count(*) FILTER (WHERE is_active) AS new_active_forks,
        count(*) FILTER (WHERE has_stars) AS new_forks_with_stars
    FROM forks GROUP BY framework, month
),
dependent_stats AS (
    SELECT framework, month, count(*) AS new_dependents
    FROM dependents GROUP BY framework, month
),
incomplete AS (
    SELECT framework, bool_or(incomplete) AS dependents_search_incomplete FROM stg_dependents GROUP BY framework
),
months AS (
    SELECT framework, month FROM fork_stats
    UNION SELECT framework, month FROM dependent_stats
)
SELECT
    m.framework, m.month,
    coalesce(f.new_forks, 0) AS new_forks,
    coalesce(f.new_active_forks, 0) AS new_active_forks,
    CASE WHEN f.new_forks > 0 THEN f.new_active_forks / f.new_forks END AS active_share,
    coalesce(f.new_forks_with_stars, 0) AS new_forks_with_stars,
    (sum(coalesce(f.new_forks, 0)) OVER w)::BIGINT AS forks_to_date,
    (sum(coalesce(f.new_active_forks, 0)) OVER w)::BIGINT AS active_forks_to_date,
    coalesce(d.new_dependents, 0) AS new_dependents,
    (sum(coalesce(d.new_dependents, 0)) OVER w)::BIGINT AS dependents_to_date,
    coalesce(x.dependents_search_incomplete, false) AS dependents_search_incomplete,
    coalesce(a.new_adopters, 0) AS new_adopters,
    coalesce(a.new_adopter_organisations, 0) AS new_adopter_organisations,
    coalesce(a.organisation_logins[1:20], []) AS adopter_organisations,
    coalesce(a.new_adopters_located, 0) AS new_adopters_located,
    coalesce(a.new_adopters_cn, 0) AS new_adopters_cn,
    CASE WHEN a.new_adopters_located > 0 THEN a.new_adopters_cn / a.new_adopters_located END AS new_adopters_cn_share,
    c.adopter_countries
FROM months AS m
LEFT JOIN fork_stats AS f USING (framework, month)
LEFT JOIN dependent_stats AS d USING (framework, month)
LEFT JOIN adopter_stats AS a USING (framework, month)
LEFT JOIN countries AS c USING (framework, month)
LEFT JOIN incomplete AS x USING (framework)
WINDOW w AS (PARTITION BY m.framework ORDER BY m.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
