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
--   account_id: numeric id of an account identity
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
    SELECT identity, list(seen ORDER BY seen) AS seen_in,
           list(DISTINCT split_part(seen, ':', 1) ORDER BY split_part(seen, ':', 1)) AS platforms
    FROM sightings GROUP BY identity
),
links AS (
    SELECT identity_a AS identity, identity_b AS other, evidence FROM int_identity_edges
    UNION ALL
    SELECT identity_b, identity_a, evidence FROM int_identity_edges
),
linked AS (
    SELECT identity, list(DISTINCT evidence ORDER BY evidence) AS evidence,
           list(DISTINCT other ORDER BY other) AS linked_to
    FROM links GROUP BY identity
),
identities AS (
    SELECT i.*, a.login, s.seen_in, s.platforms, l.evidence, l.linked_to
    FROM int_identities AS i
    LEFT JOIN int_accounts AS a ON i.kind = 'account' AND a.platform = i.platform AND a.account_id = i.account_id
    LEFT JOIN seen AS s USING (identity)
    LEFT JOIN linked AS l USING (identity)
)
SELECT
    person_key, identity, kind, platform, account_id, login, email_domain, is_bot,
    coalesce(seen_in, []) AS seen_in,
    coalesce(evidence, []) AS evidence,
    coalesce(linked_to, []) AS linked_to,
    count(*) OVER (PARTITION BY person_key) AS person_identities,
    list_sort(list_distinct(flatten(list(coalesce(platforms, []) || CASE WHEN platform IS NULL THEN [] ELSE [platform] END)
        OVER (PARTITION BY person_key)))) AS person_platforms
FROM identities
