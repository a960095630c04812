-- One row per account on any platform, keyed by (platform, account_id): its place (from the
-- strongest evidence any identity of its person offers), the person it belongs to, whether it is a
-- bot, and its roles per framework. Logins are here for analysts with a legal basis; exports
-- pseudonymise them by default.
--
-- Columns:
--   platform: github, gitee or gitlab
--   account_id: id on the platform, as text (numeric ids keep their decimal text)
--   login: latest login seen
--   type: User, Organization or Bot
--   country_iso2: ISO 3166-1 alpha-2 country of the account's person (NULL: unknown)
--   region: ISO 3166-2 subdivision, e.g. CN-ZJ (NULL: unknown)
--   city: city (NULL: unknown)
--   method: evidence behind the place: location, location_first, company, email_domain; timezone when only
--     commit time zones name a region (country NULL: never a country on their own); none when unknown
--   confidence: confidence of the place, 0..1 (0 when unknown)
--   person_key: shared by accounts and email identities linked as one person (see mart_identities)
--   is_bot: a bot account (excluded from every people count)
--   organisation: organisation named in the company field ("@baidu" gives baidu)
--   has_profile: a profile was fetched for the account
--   contributor_of: frameworks it contributes to (listed as a contributor, or its person authored commits)
--   fork_owner_of: frameworks of which it owns a current fork
--   stargazer_of: frameworks it starred (any platform copy)
--   dependent_owner_of: frameworks its repositories depend on (GitHub code search)
--   frameworks: every framework it has any role in
--   created_at: account creation time
--   followers: followers count
--   public_repos: public repositories count
--   profile_observed_at: when the profile (or the latest reference) was fetched
WITH roles AS (
    SELECT platform, account_id,
        list_sort(list_distinct(list(framework) FILTER (WHERE role = 'contributor'))) AS contributor_of,
        list_sort(list_distinct(list(framework) FILTER (WHERE role = 'fork_owner'))) AS fork_owner_of,
        list_sort(list_distinct(list(framework) FILTER (WHERE role = 'stargazer'))) AS stargazer_of,
        list_sort(list_distinct(list(framework) FILTER (WHERE role = 'dependent_owner'))) AS dependent_owner_of,
        list_sort(list_distinct(list(framework))) AS frameworks
    FROM int_account_roles
    GROUP BY platform, account_id
)
SELECT
    a.platform, a.account_id, a.login, a.type,
    g.country_iso2, g.region, g.city,
    coalesce(g.method, 'none') AS method,
    coalesce(g.confidence, 0.0) AS confidence,
    i.person_key, a.is_bot, a.organisation, a.has_profile,
    coalesce(r.contributor_of, []) AS contributor_of,
    coalesce(r.fork_owner_of, []) AS fork_owner_of,
    coalesce(r.stargazer_of, []) AS stargazer_of,
    coalesce(r.dependent_owner_of, []) AS dependent_owner_of,
    coalesce(r.frameworks, []) AS frameworks,
    a.created_at, a.followers, a.public_repos,
    a.observed_at AS profile_observed_at
FROM int_accounts AS a
JOIN int_identities AS i ON i.kind = 'account' AND i.platform = a.platform AND i.account_id = a.account_id
LEFT JOIN int_person_geography AS g ON g.person_key = i.person_key AND NOT a.is_bot
LEFT JOIN roles AS r ON r.platform = a.platform AND r.account_id = a.account_id
