-- Every identity (platform account, email identity, or a contributor entry known only by name) with
-- the person it belongs to: identities joined by any chain of evidence (int_identity_edges) share a
-- person_key; an identity without evidence is a person of its own.
--
-- Columns:
--   identity: platform:account_id, email:<author_key> or name:<name_key>
--   kind: account, email or name
--   platform: platform of an account identity (NULL for email and name identities)
--   account_id: id of an account identity on its platform, as text
--   author_key: keyed email hash of an email identity
--   email_domain: email domain of an email identity
--   is_bot: the identity is a bot's (bot account or bot commits)
--   person_key: stable pseudonymous key of the person (the same for every linked identity)
WITH RECURSIVE
edges AS (
    SELECT identity_a AS src, identity_b AS dst FROM int_identity_edges
    UNION SELECT identity_b, identity_a FROM int_identity_edges
),
components(identity, label) USING KEY (identity) AS (
    SELECT DISTINCT src, src FROM edges
    UNION
    SELECT e.dst, min(c.label)
    FROM components AS c
    JOIN edges AS e ON e.src = c.identity
    JOIN recurring.components AS known ON known.identity = e.dst
    GROUP BY e.dst, known.label
    HAVING min(c.label) < known.label
),
nodes AS (
    SELECT platform || ':' || account_id AS identity, 'account' AS kind, platform, account_id,
           NULL AS author_key, NULL AS email_domain, is_bot
    FROM int_accounts
    UNION ALL
    SELECT 'email:' || author_key, 'email', NULL, NULL, author_key, email_domain, is_bot
    FROM int_commit_authors
    UNION ALL
    SELECT e.identity, 'email', NULL, NULL, min(e.author_key), min(e.email_domain), false
    FROM int_contributors AS e
    ANTI JOIN int_commit_authors AS a ON a.author_key = e.author_key
    WHERE e.identity LIKE 'email:%'
    GROUP BY e.identity
    UNION ALL
    SELECT DISTINCT identity, 'name', NULL, NULL, NULL, NULL, false
    FROM int_contributors WHERE identity LIKE 'name:%'
),
linked_only AS (
    -- identities known only from evidence: a profile email never seen in commits, a noreply account never listed
    SELECT identity,
        CASE WHEN identity LIKE 'email:%' THEN 'email' ELSE 'account' END AS kind,
        CASE WHEN identity NOT LIKE 'email:%' THEN split_part(identity, ':', 1) END AS platform,
        CASE WHEN identity NOT LIKE 'email:%' THEN substr(identity, length(split_part(identity, ':', 1)) + 2) END AS account_id,
        CASE WHEN identity LIKE 'email:%' THEN substr(identity, 7) END AS author_key,
        NULL AS email_domain, false AS is_bot
    FROM components ANTI JOIN nodes USING (identity)
)
SELECT n.*, 'p' || substr(md5(coalesce(c.label, n.identity)), 1, 16) AS person_key
FROM (SELECT * FROM nodes UNION ALL SELECT * FROM linked_only) AS n
LEFT JOIN components AS c USING (identity)
