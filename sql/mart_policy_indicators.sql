-- The brief's answers to the policy questions, one row per framework, calendar year of activity and
-- indicator (long form): vendor dominance, hub concentration ("internal brain drain" towards the
-- national AI pilot zones), platform dependence and adoption. Every value has its denominator and its
-- coverage (how much of what it should count it could see); `oss-miner brief` flags a value whose
-- coverage is below `[brief] min_coverage`. Each indicator's method, evidence and biases are in
-- ref_indicators (the brief's method appendix prints the same text). year NULL is all years together
-- (figures with no date, such as the vendor staff shares of mart_vendor_share and the platform shares,
-- exist only for it); framework `all` is every framework's people together (the whole ecosystem), for
-- the hub indicators. Places are "by current location" (int_person_year_places).
--
-- Columns:
--   framework: framework, or all (every framework's people together; hub indicators only)
--   year: calendar year of activity (UTC); NULL: all years together
--   indicator: indicator id (ref_indicators.indicator), e.g. pilot_zone_share
--   value: the figure: a share or index 0..1, a count, or a 0/1 flag (ref_indicators.unit)
--   denominator: what a share is taken over (people, commits, stars...; NULL for counts and flags)
--   coverage: 0..1, the share of what the figure should count that the evidence could see (for example
--     the share of located mainland-China people whose location names a city); NULL when unknown (a
--     lower bound such as dependents found)
--   method: how the figure is computed (ref_indicators.method)
--   confidence_note: its evidence and known biases (ref_indicators), with what this row adds
WITH commits AS (
    SELECT c.framework, year(c.authored_at) AS year, i.person_key, count(*) AS commits
    FROM int_framework_commits AS c
    JOIN int_identities AS i ON i.identity = 'email:' || c.author_key
    WHERE c.on_default_branch AND NOT c.is_bot AND NOT i.is_bot AND c.authored_at IS NOT NULL
    GROUP BY ALL
),
linked AS (
    SELECT DISTINCT person_key FROM int_identities WHERE kind = 'account'
),
person_years AS (
    SELECT framework, year, person_key, commits FROM commits
    UNION ALL
    SELECT framework, NULL, person_key, sum(commits)::BIGINT FROM commits GROUP BY framework, person_key
),
ranked AS (
    SELECT p.*, l.person_key IS NOT NULL AS is_linked,
        row_number() OVER w AS rank,
        sum(commits) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
        sum(commits) OVER (PARTITION BY framework, year) AS total
    FROM person_years AS p LEFT JOIN linked AS l USING (person_key)
    WINDOW w AS (PARTITION BY framework, year ORDER BY commits DESC, person_key)
),
concentration AS (
    SELECT framework, year, count(*) AS people, any_value(total) AS commits,
        sum(commits) FILTER (WHERE rank <= 10) AS top10_commits,
        min(rank) FILTER (WHERE running >= total / 2.0) AS people_for_half,
        sum(commits) FILTER (WHERE is_linked) / any_value(total) AS linked_share
    FROM ranked GROUP BY framework, year
),
firsts AS (
    SELECT framework, person_key, min(year) AS first_year, max(year) AS last_year FROM commits GROUP BY ALL
),
ecosystem_firsts AS (
    SELECT person_key, min(year) AS first_year, max(year) AS last_year FROM commits GROUP BY ALL
),
cohorts AS (
    -- (framework, year, person, first time?) for each framework and for `all`; year NULL: the person's
    -- place of their last active year
    SELECT c.framework, c.year, c.person_key, c.year = f.first_year AS first_time, c.year AS place_year
    FROM commits AS c JOIN firsts AS f USING (framework, person_key)
    UNION ALL
    SELECT framework, NULL, person_key, false, last_year FROM firsts
    UNION ALL
    SELECT DISTINCT 'all', c.year, c.person_key, c.year = f.first_year, c.year
    FROM commits AS c JOIN ecosystem_firsts AS f USING (person_key)
    UNION ALL
    SELECT 'all', NULL, person_key, false, last_year FROM ecosystem_firsts
),
placed AS (
    SELECT k.framework, k.year, k.person_key, k.first_time, g.country_iso2,
        CASE WHEN g.tier = 1 THEN g.region END AS region, CASE WHEN g.tier = 1 THEN g.city END AS city,
        g.tier, coalesce(g.in_deqing, false) AS in_deqing
    FROM cohorts AS k
    LEFT JOIN int_person_year_places AS g ON g.person_key = k.person_key AND g.year = k.place_year
),
cohort_rows AS (
    SELECT *, '' AS suffix FROM placed
    UNION ALL
    SELECT *, '_new_contributors' FROM placed WHERE first_time
),
zoned AS (
    SELECT p.*, z.zone IS NOT NULL AS in_zone_city,
        z.zone IS NOT NULL AND (p.year IS NULL OR z.designated_year <= p.year) AS in_designated_zone,
        p.city = 'Huzhou' AND p.region = 'CN-ZJ' AND NOT p.in_deqing AS huzhou_only
    FROM cohort_rows AS p
    LEFT JOIN ref_pilot_zones AS z
      ON z.region = p.region AND z.city = p.city AND (z.county IS NULL OR p.in_deqing)
    WHERE p.country_iso2 = 'CN'
),
hub_counts AS (
    SELECT framework, year, suffix, count(*) AS people_cn,
        count(city) AS with_city, count(region) AS with_province,
        count(*) FILTER (WHERE city IS NOT NULL AND in_designated_zone) AS in_zone,
        count(*) FILTER (WHERE city IS NOT NULL AND in_zone_city AND NOT in_designated_zone) AS in_zone_before,
        count(*) FILTER (WHERE huzhou_only) AS huzhou_only
    FROM zoned GROUP BY ALL
),
city_counts AS (
    SELECT framework, year, suffix, region, city, count(*) AS people,
        row_number() OVER (PARTITION BY framework, year, suffix ORDER BY count(*) DESC, city, region) AS rank
    FROM zoned WHERE city IS NOT NULL GROUP BY framework, year, suffix, region, city
),
top3 AS (
    SELECT framework, year, suffix, sum(people) FILTER (WHERE rank <= 3) AS top3_people,
        string_agg(city, ', ' ORDER BY rank) FILTER (WHERE rank <= 3) AS top3_cities
    FROM city_counts GROUP BY ALL
),
province_counts AS (
    SELECT framework, year, suffix, region, count(*) AS people FROM zoned WHERE region IS NOT NULL GROUP BY ALL
),
hhi AS (
    SELECT p.framework, p.year, p.suffix, sum((p.people / h.with_province) ^ 2) AS hhi
    FROM province_counts AS p
    JOIN hub_counts AS h ON h.framework = p.framework AND h.year IS NOT DISTINCT FROM p.year AND h.suffix = p.suffix
    GROUP BY ALL
),
hubs AS (
    SELECT h.*, t.top3_people, t.top3_cities, x.hhi
    FROM hub_counts AS h
    LEFT JOIN top3 AS t ON t.framework = h.framework AND t.year IS NOT DISTINCT FROM h.year AND t.suffix = h.suffix
    LEFT JOIN hhi AS x ON x.framework = h.framework AND x.year IS NOT DISTINCT FROM h.year AND x.suffix = h.suffix
),
foreign_people AS (
    SELECT e.framework, count(DISTINCT e.person_key) AS people,
        count(DISTINCT e.person_key) FILTER (WHERE p.operator_country <> 'CN') AS people_foreign,
        count(DISTINCT e.person_key) FILTER (WHERE p.operator_country IS NOT NULL) AS people_known
    FROM int_platform_people AS e JOIN catalogue_platforms AS p ON p.platform = e.platform
    GROUP BY e.framework
),
platform_totals AS (
    SELECT framework,
        sum(coalesce(pull_requests, 0) + coalesce(issues, 0)) FILTER (WHERE operator_country <> 'CN') AS development_foreign,
        any_value(development_total) AS development_total,
        sum(stars) FILTER (WHERE operator_country <> 'CN') AS stars_foreign,
        any_value(stars_total) AS stars_total,
        count(*) FILTER (WHERE role IS NOT NULL AND pull_requests IS NOT NULL) / nullif(count(*) FILTER (WHERE role IS NOT NULL), 0) AS counted_share,
        max(CASE WHEN role = 'primary' THEN (operator_country = 'CN')::INTEGER END) AS primary_domestic,
        bool_and(operator_country IS NOT NULL) FILTER (WHERE role = 'primary') AS primary_known
    FROM mart_platform_presence GROUP BY framework
),
adoption AS (
    SELECT framework, year(month) AS year, sum(new_forks) AS new_forks, sum(new_active_forks) AS active_forks,
        sum(new_dependents) AS dependents, sum(new_adopter_organisations) AS organisations
    FROM mart_downstream_adoption GROUP BY ALL
    UNION ALL
    SELECT framework, NULL, sum(new_forks), sum(new_active_forks), max(dependents_to_date), sum(new_adopter_organisations)
    FROM mart_downstream_adoption GROUP BY ALL
),
dependents_searched AS (
    SELECT framework, bool_or(dependents_search_incomplete) AS incomplete FROM mart_downstream_adoption GROUP BY ALL
),
figures(framework, year, indicator, value, denominator, coverage, note) AS (
    SELECT framework, NULL::INTEGER, 'vendor_staff_people_share', vendor_author_share, authors,
           1 - noreply_commit_share, NULL FROM mart_vendor_share
    UNION ALL
    SELECT framework, NULL, 'vendor_staff_commit_share', vendor_commit_share, commits, 1 - noreply_commit_share, NULL
    FROM mart_vendor_share
    UNION ALL
    SELECT framework, year, 'top10_commit_share', top10_commits / commits, commits, linked_share, NULL FROM concentration
    UNION ALL
    SELECT framework, year, 'people_for_half_of_commits', people_for_half, people, linked_share, NULL FROM concentration
    UNION ALL
    SELECT framework, year, 'top3_city_share', top3_people / nullif(with_city, 0), with_city,
           with_city / people_cn, 'top three: ' || top3_cities
    FROM hubs WHERE suffix = ''
    UNION ALL
    SELECT framework, year, 'province_hhi', hhi, with_province, with_province / people_cn, NULL FROM hubs WHERE suffix = ''
    UNION ALL
    SELECT framework, year, 'pilot_zone_share' || suffix, in_zone / nullif(with_city, 0), with_city,
           with_city / people_cn, NULL FROM hubs
    UNION ALL
    SELECT framework, year, 'pilot_zone_baseline_share' || suffix, in_zone_before / nullif(with_city, 0), with_city,
           with_city / people_cn, NULL FROM hubs WHERE year IS NOT NULL
    UNION ALL
    SELECT framework, year, 'pilot_zone_cities_share', (in_zone + in_zone_before) / nullif(with_city, 0), with_city,
           with_city / people_cn, NULL FROM hubs WHERE suffix = ''
    UNION ALL
    SELECT framework, year, 'pilot_zone_huzhou_only_people', huzhou_only, with_city, with_city / people_cn, NULL
    FROM hubs WHERE suffix = ''
    UNION ALL
    SELECT framework, NULL, 'foreign_platform_people_share', people_foreign / nullif(people, 0), people,
           people_known / nullif(people, 0), NULL FROM foreign_people
    UNION ALL
    SELECT framework, NULL, 'foreign_platform_activity_share', development_foreign / nullif(development_total, 0),
           development_total, counted_share, NULL FROM platform_totals
    UNION ALL
    SELECT framework, NULL, 'foreign_platform_star_share', stars_foreign / nullif(stars_total, 0), stars_total,
           counted_share, NULL FROM platform_totals
    UNION ALL
    SELECT framework, NULL, 'primary_is_domestic', primary_domestic, NULL, CASE WHEN primary_known THEN 1.0 ELSE 0.0 END,
           NULL FROM platform_totals
    UNION ALL
    SELECT framework, year, 'new_forks', new_forks, NULL, 1.0, NULL FROM adoption
    UNION ALL
    SELECT framework, year, 'active_forks', active_forks, new_forks, 1.0, NULL FROM adoption
    UNION ALL
    SELECT a.framework, a.year, 'dependents_found', a.dependents, NULL, NULL,
           CASE WHEN s.incomplete THEN 'the latest search was incomplete: more dependents exist' END
    FROM adoption AS a LEFT JOIN dependents_searched AS s USING (framework)
    UNION ALL
    SELECT framework, year, 'adopter_organisations', organisations, NULL, 1.0, NULL FROM adoption
)
SELECT f.framework, f.year, f.indicator, f.value::DOUBLE AS value, f.denominator::BIGINT AS denominator,
    CASE WHEN f.coverage > 1 THEN 1.0 ELSE f.coverage END::DOUBLE AS coverage, r.method,
    concat_ws('; ', 'evidence: ' || r.evidence, r.biases, f.note) AS confidence_note
FROM figures AS f
JOIN ref_indicators AS r USING (indicator)
ORDER BY f.framework, f.year NULLS FIRST, f.indicator
