-- Where each framework's people are, one row per country: per framework, platform (and `all`, each
-- person once) and country, the totals that mart_contributor_geography splits by province and city
-- for mainland China (its CN rows with a NULL region are "China, province unknown", not China). Summed
-- from that mart, so the two always agree. HK, MO and TW are countries of their own. The unknown share
-- is a row of its own (is_unknown, country_iso2 NULL), so shares of people_total add up to 1; shares
-- among located people leave it out. A commit time zone never places a person in a country: people
-- known only by one are on the unknown row (people_by_timezone says how many).
--
-- Columns:
--   framework: framework
--   platform: github, gitee, gitlab (the platform credited with the work), or all
--   country_iso2: ISO 3166-1 alpha-2 code; NULL on the unknown row
--   is_unknown: the row of people no evidence could place in a country
--   people: non-bot people in this country
--   people_total: denominator: every non-bot person of the framework on this platform, unknown included
--   people_share: people / people_total
--   people_located: denominator of located shares: people of the framework on this platform with a country
--   located_people_share: people / people_located (NULL on the unknown row)
--   people_with_region: of these people, those whose province is known (mainland China only, from profile locations; 0 elsewhere)
--   contributions: commits (or contributor-list contributions) by these people
--   contributions_total: denominator: contributions of every person of the framework on this platform
--   contributions_share: contributions / contributions_total
--   people_by_location: people placed by their profile location
--   people_by_company: people placed by their company field
--   people_by_email_domain: people placed by an email domain
--   people_by_timezone: on the unknown row, people whose commits' time zones name only a UTC-offset region (0 elsewhere)
--   mean_confidence: mean confidence of the country attributions of these people (NULL on the unknown row)
SELECT
    framework, platform, country_iso2,
    country_iso2 IS NULL AS is_unknown,
    sum(people)::BIGINT AS people,
    any_value(people_total) AS people_total,
    sum(people) / any_value(people_total) AS people_share,
    any_value(people_located) AS people_located,
    CASE WHEN country_iso2 IS NOT NULL THEN sum(people) / any_value(people_located) END AS located_people_share,
    coalesce(sum(people) FILTER (WHERE region IS NOT NULL), 0)::BIGINT AS people_with_region,
    sum(contributions)::BIGINT AS contributions,
    any_value(contributions_total) AS contributions_total,
    CASE WHEN any_value(contributions_total) > 0 THEN sum(contributions) / any_value(contributions_total) END
        AS contributions_share,
    sum(people_by_location)::BIGINT AS people_by_location,
    sum(people_by_company)::BIGINT AS people_by_company,
    sum(people_by_email_domain)::BIGINT AS people_by_email_domain,
    sum(people_by_timezone)::BIGINT AS people_by_timezone,
    sum(mean_confidence * people) / sum(people) FILTER (WHERE mean_confidence IS NOT NULL) AS mean_confidence
FROM mart_contributor_geography
GROUP BY framework, platform, country_iso2
