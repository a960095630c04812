-- How concentrated each framework's mainland-China people are: per framework and period (a calendar
-- year of commits, or `all`), among non-bot people placed in CN (HK, MO and TW are not CN here; see
-- mart_contributor_geography): the share living in the three largest cities and the
-- Herfindahl-Hirschman index across provinces. A location, company or email domain places a person in
-- CN (a time zone never does: +08:00 is not only China), but cities and provinces come from profile
-- locations only (tier 1): a company names its head office and an email domain a campus, neither of
-- them where a person lives, and counting them would
-- inflate the concentration. People are those of int_framework_people plus, for `all`, the accounts
-- listed as contributors of a primary repository whose profile location places them: such a profile
-- may hold a location that no evidence ties to the person's commit addresses, and an address with no
-- linked account has no profile location, so nobody placed by a location is counted twice.
-- HHI = sum over provinces of (people in the province / people_cn_with_province)^2: 1 when everyone is
-- in one province, 1/n when n provinces are equal (0..1 scale, not 0..10,000).
--
-- Columns:
--   framework: framework
--   period: calendar year of the commits (YYYY), or all
--   people_located: denominator of cn_share_of_located: people of the period placed anywhere (any tier)
--   people_cn: people placed in mainland China (any evidence tier, any precision)
--   cn_share_of_located: people_cn / people_located
--   people_cn_profiled: people whose profile location is in mainland China (the base of the city and
--     province figures; for `all` it includes the primary's listed contributor accounts)
--   people_cn_with_city: denominator of top3_city_share: of those, people whose location names a city
--   top_cities: the three cities with most people (ties broken by name)
--   top3_city_people: people in those three cities
--   top3_city_share: top3_city_people / people_cn_with_city
--   people_cn_with_province: denominator of the HHI: people_cn_profiled whose location names a province
--   provinces: provinces with at least one person
--   hhi_provinces: Herfindahl-Hirschman index of people across provinces (0..1)
--   top_province: province (ISO 3166-2) with most people
--   top_province_share: its people / people_cn_with_province
WITH person_periods AS (
    -- the framework's people: commit authors per calendar year, and everyone of int_framework_people
    SELECT DISTINCT c.framework, strftime(c.authored_at, '%Y') AS period, i.person_key
    FROM int_framework_commits AS c
    JOIN int_identities AS i ON i.identity = 'email:' || c.author_key
    WHERE c.on_default_branch AND NOT c.is_bot AND NOT i.is_bot AND c.authored_at IS NOT NULL
    UNION
    SELECT DISTINCT framework, 'all', person_key FROM int_framework_people
),
listed_accounts AS (
    SELECT DISTINCT e.framework, 'all' AS period, i.person_key
    FROM int_contributors AS e JOIN int_identities AS i USING (identity)
    WHERE e.role = 'primary' AND e.kind = 'account' AND NOT i.is_bot
),
located AS (
    SELECT p.framework, p.period, count(g.country_iso2) AS people_located, count(*) FILTER (WHERE g.country_iso2 = 'CN') AS people_cn
    FROM person_periods AS p JOIN int_person_geography AS g USING (person_key)
    GROUP BY p.framework, p.period
),
profiled AS (
    SELECT p.framework, p.period, g.region, g.city
    FROM (SELECT * FROM person_periods UNION SELECT * FROM listed_accounts) AS p
    JOIN int_person_geography AS g USING (person_key)
    WHERE g.tier = 1 AND g.country_iso2 = 'CN'
),
profiled_counts AS (
    SELECT framework, period, count(*) AS people_cn_profiled, count(city) AS people_cn_with_city,
           count(region) AS people_cn_with_province
    FROM profiled GROUP BY framework, period
),
cities AS (
    SELECT framework, period, region, city, count(*) AS people,
           row_number() OVER (PARTITION BY framework, period ORDER BY count(*) DESC, city, region) AS rank
    FROM profiled WHERE city IS NOT NULL
    GROUP BY framework, period, region, city
),
provinces AS (
    SELECT framework, period, region, count(*) AS people,
           row_number() OVER (PARTITION BY framework, period ORDER BY count(*) DESC, region) AS rank
    FROM profiled WHERE region IS NOT NULL
    GROUP BY framework, period, region
),
top_cities AS (
    SELECT framework, period, list(city ORDER BY rank) AS top_cities, sum(people)::BIGINT AS top3_city_people
    FROM cities WHERE rank <= 3 GROUP BY framework, period
),
concentration AS (
    SELECT p.framework, p.period, count(*) AS provinces,
           sum((p.people / l.people_cn_with_province) ^ 2) AS hhi_provinces,
           min(p.region) FILTER (WHERE p.rank = 1) AS top_province,
           max(p.people) / any_value(l.people_cn_with_province) AS top_province_share
    FROM provinces AS p JOIN profiled_counts AS l USING (framework, period)
    GROUP BY p.framework, p.period
)
SELECT
    l.framework, l.period, l.people_located, l.people_cn,
    l.people_cn / nullif(l.people_located, 0) AS cn_share_of_located,
    coalesce(pc.people_cn_profiled, 0) AS people_cn_profiled,
    coalesce(pc.people_cn_with_city, 0) AS people_cn_with_city,
    coalesce(t.top_cities, []) AS top_cities,
    coalesce(t.top3_city_people, 0) AS top3_city_people,
    t.top3_city_people / nullif(pc.people_cn_with_city, 0) AS top3_city_share,
    coalesce(pc.people_cn_with_province, 0) AS people_cn_with_province,
    coalesce(c.provinces, 0) AS provinces,
    c.hhi_provinces, c.top_province, c.top_province_share
FROM located AS l
LEFT JOIN profiled_counts AS pc USING (framework, period)
LEFT JOIN top_cities AS t USING (framework, period)
LEFT JOIN concentration AS c USING (framework, period)
