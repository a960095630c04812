-- Where each framework's people are: per framework, platform (and `all`, each person once) and place
-- (country; for mainland China also province and city), the people (non-bot, int_framework_people)
-- and their contributions (default-branch commits from git where mined, else contributor-list
-- counts). HK, MO and TW are countries of their own here. The unknown share is a row of its own
-- (is_unknown, country_iso2 NULL), so shares of people_total add up to 1; shares among located
-- people leave it out. The people_by_* columns say from which evidence tier each attribution came;
-- provinces and cities come from profile locations only (a company's head office or a university's
-- campus says which country, not where in China a person lives). A time zone places nobody in a
-- country: people known only by one are on the unknown row. Country totals: mart_country_geography.
--
-- Columns:
--   framework: framework
--   platform: github, gitee, gitlab (the platform credited with the work), or all
--   country_iso2: ISO 3166-1 alpha-2 code; NULL on the unknown row
--   region: ISO 3166-2 province code, for CN only, from profile locations (NULL: other countries, or none given)
--   city: city, for CN only, from profile locations (NULL: other countries, or none given)
--   is_unknown: the row of people no evidence could place
--   people: non-bot people in this place
--   people_total: denominator: every non-bot person of the framework on this platform, unknown included
--   people_share: people / people_total
--   people_located: denominator of located shares: people of the framework on this platform with a place
--   located_people_share: people / people_located (NULL on the unknown row)
--   contributions: commits (or contributor-list contributions) by these people
--   contributions_total: denominator: contributions of every person of the framework on this platform
--   contributions_share: contributions / contributions_total
--   people_by_location: people placed by their profile location
--   people_by_company: people placed by their company field
--   people_by_email_domain: people placed by an email domain
--   people_by_timezone: on the unknown row, people whose commits' time zones name only a UTC-offset region
--     (a time zone never places a person in a country; 0 elsewhere)
--   mean_confidence: mean confidence of the attributions in this cell (NULL on the unknown row)
WITH people AS (
    SELECT p.framework, p.platform, p.person_key, p.contributions,
           g.country_iso2, g.region, g.city, g.tier, g.confidence
    FROM int_framework_people AS p
    LEFT JOIN int_person_geography AS g USING (person_key)
),
per_platform AS (
    SELECT framework, platform, person_key, contributions, country_iso2, region, city, tier, confidence FROM people
    UNION ALL
    SELECT framework, 'all', person_key, sum(contributions)::BIGINT, min(country_iso2), min(region), min(city), min(tier), min(confidence)
    FROM people GROUP BY framework, person_key
),
cells AS (
    SELECT framework, platform, country_iso2,
        CASE WHEN country_iso2 = 'CN' AND tier = 1 THEN region END AS region,
        CASE WHEN country_iso2 = 'CN' AND tier = 1 THEN city END AS city,
        count(*) AS people,
        sum(contributions)::BIGINT AS contributions,
        count(*) FILTER (WHERE tier = 1) AS people_by_location,
        count(*) FILTER (WHERE tier = 2) AS people_by_company,
        count(*) FILTER (WHERE tier = 3) AS people_by_email_domain,
        count(*) FILTER (WHERE tier = 4) AS people_by_timezone,
        avg(confidence) FILTER (WHERE country_iso2 IS NOT NULL) AS mean_confidence
    FROM per_platform
    GROUP BY ALL
),
totals AS (
    SELECT framework, platform, count(*) AS people_total, count(country_iso2) AS people_located,
           sum(contributions)::BIGINT AS contributions_total
    FROM per_platform GROUP BY framework, platform
)
SELECT
    c.framework, c.platform, c.country_iso2, c.region, c.city,
    c.country_iso2 IS NULL AS is_unknown,
    c.people, t.people_total, c.people / t.people_total AS people_share,
    t.people_located,
    CASE WHEN c.country_iso2 IS NOT NULL THEN c.people / t.people_located END AS located_people_share,
    c.contributions, t.contributions_total,
    CASE WHEN t.contributions_total > 0 THEN c.contributions / t.contributions_total END AS contributions_share,
    c.people_by_location, c.people_by_company, c.people_by_email_domain, c.people_by_timezone,
    c.mean_confidence
FROM cells AS c
JOIN totals AS t USING (framework, platform)
