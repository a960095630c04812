-- Accounts and email identities of one person, linked across platforms by evidence: one row per
-- identity with its person, where it was seen, and the evidence that links it (see
-- int_identity_edges for each kind). The same keyed email hash seen in commits and in contributor
-- lists of several platforms is one identity (seen_in lists them all). Email addresses are never
-- stored: an email identity is its keyed hash.
--
-- Columns:
--   person_key: the person (shared by every linked identity)
--   identity: platform:account_id, email:<author_key> or name:<name_key>
--   kind: account, email or name
--   platform: platform of an account identity
--   account_id: id of an account identity on its platform, as text
--   login: login of an account identity
--   email_domain: domain of an email identity
--   is_bot: the identity is a bot's (bots are never linked)
--   seen_in: where the identity was seen: <platform>:commits, <platform>:contributors, <platform>:profile
--   evidence: kinds of evidence linking it to other identities of the person (empty: not linked)
--   linked_to: identities it is directly linked to
--   person_identities: identities the person has
--   person_platforms: platforms on which the person has an account or authored commits
WITH sightings AS (
    SELECT DISTINCT 'email:' || author_key AS identity, platform || ':commits' AS seen
    FROM stg_commits WHERE author_key IS NOT NULL
    UNION
    SELECT DISTINCT identity, platform || ':contributors' FROM int_contributors WHERE identity IS NOT NULL
    UNION
    SELECT platform || ':' || account_id, platform || ':profile' FROM int_accounts WHERE has_profile
),
seen AS (
    SELECT identity, list_sort(list(seen)) AS seen_in FROM sightings GROUP BY identity
),
links AS (
    SELECT identity_a AS identity, identity_b AS other, evidence FROM int_identity_edges
    UNION ALL
    SELECT identity_b, identity_a, evidence FROM int_identity_edges
),
linked AS (
    SELECT identity, list_sort(list_distinct(list(evidence))) AS evidence,
           list_sort(list_distinct(list(other))) AS linked_to
    FROM links GROUP BY identity
),
persons AS (
    SELECT person_key, count(*) AS person_identities FROM int_identities GROUP BY person_key
),
person_platforms AS (
    SELECT person_key, list_sort(list_distinct(list(platform))) AS person_platforms
    FROM (
        SELECT person_key, platform FROM int_identities WHERE platform IS NOT NULL
        UNION ALL
        SELECT i.person_key, split_part(s.seen, ':', 1) FROM sightings AS s JOIN int_identities AS i USING (identity)
    )
    GROUP BY person_key
)
SELECT
    i.person_key, i.identity, i.kind, i.platform, i.account_id, a.login, i.email_domain, i.is_bot,
    coalesce(s.seen_in, []) AS seen_in,
    coalesce(l.evidence, []) AS evidence,
    coalesce(l.linked_to, []) AS linked_to,
    p.person_identities,
    coalesce(pp.person_platforms, []) AS person_platforms
FROM int_identities AS i
LEFT JOIN int_accounts AS a ON i.kind = 'account' AND a.platform = i.platform AND a.account_id = i.account_id
LEFT JOIN seen AS s USING (identity)
LEFT JOIN linked AS l USING (identity)
JOIN persons AS p USING (person_key)
LEFT JOIN person_platforms AS pp USING (person_key)
