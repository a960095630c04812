-- Contributor list entries of every platform (current lists), each with the identity it stands for:
-- a platform account (platform:account_id) or an email identity (email:author_key), the same
-- identity as the author of commits with that email.
--
-- Columns:
--   framework: framework of the listed repository
--   role: configured role of the listed repository: a mirror's list credits the primary's work
--   identity: platform:account_id for account entries, email:<author_key> for email identities,
--     name:<name_key> when an entry has neither
SELECT
    c.framework, c.role, e.*,
    CASE
        WHEN e.kind = 'account' AND e.account_id IS NOT NULL THEN e.platform || ':' || e.account_id
        WHEN e.author_key IS NOT NULL THEN 'email:' || e.author_key
        WHEN e.name_key IS NOT NULL THEN 'name:' || e.name_key
    END AS identity
FROM stg_contributors AS e
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
