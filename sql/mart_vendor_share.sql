-- How open each framework really is: the share of its authors and of its commits that come from the
-- vendor's own staff. A person is staff when any of their identities uses one of the vendor's email
-- domains (catalogue_vendor_domains, subdomains included) or any linked account's company field
-- names the vendor (catalogue_vendor_companies). Commits are non-bot default-branch commits, each
-- once across mirror copies; where no history was mined the basis is the primary repositories'
-- contributor lists, weighted by their contribution counts. The *_by_email_domain and *_email columns
-- use each commit's own email domain only (the strict reading: one address is one author); noreply
-- addresses hide the employer.
--
-- Columns:
--   framework: framework
--   vendor: organisation behind the framework
--   basis: commits (git history) or contributor_lists
--   authors: denominator of vendor_author_share: non-bot people who authored the framework's commits
--     (a person's several addresses count once, see mart_identities)
--   vendor_authors: authors who are vendor staff
--   vendor_author_share: vendor_authors / authors
--   commits: denominator of the commit shares: non-bot default-branch commits (or listed contributions)
--   vendor_commits: commits by vendor staff
--   vendor_commit_share: vendor_commits / commits
--   author_emails: denominator of vendor_author_email_share: distinct non-bot author addresses (keyed hashes)
--   vendor_author_emails: author addresses at a vendor domain
--   vendor_author_email_share: vendor_author_emails / author_emails
--   vendor_commits_by_email_domain: commits whose author email domain is the vendor's
--   vendor_commit_share_by_email_domain: vendor_commits_by_email_domain / commits
--   noreply_commits: commits from GitHub noreply addresses (employer unknown)
--   noreply_commit_share: noreply_commits / commits
--   vendor_domains: the vendor email domains used
WITH work AS (
    SELECT c.framework, i.person_key, i.identity, c.email_domain, 1 AS weight, 'commits' AS basis
    FROM int_framework_commits AS c
    JOIN int_identities AS i ON i.identity = 'email:' || c.author_key
    WHERE c.on_default_branch AND NOT c.is_bot AND NOT i.is_bot
    UNION ALL
    SELECT e.framework, i.person_key, i.identity, e.email_domain, coalesce(e.contributions, 0), 'contributor_lists'
    FROM int_contributors AS e
    JOIN int_identities AS i USING (identity)
    ANTI JOIN (SELECT DISTINCT framework FROM int_framework_commits) AS mined USING (framework)
    WHERE e.role = 'primary' AND NOT i.is_bot
),
vendor_domains AS (
    SELECT DISTINCT d.framework, w.email_domain
    FROM (SELECT DISTINCT framework, email_domain FROM work) AS w
    JOIN catalogue_vendor_domains AS d
      ON d.framework = w.framework
     AND (w.email_domain = d.email_domain OR w.email_domain LIKE '%.' || d.email_domain)
),
person_domains AS (
    -- every email domain any identity of a working person shows (commit addresses and profile emails)
    SELECT DISTINCT w.framework, w.person_key, coalesce(i.email_domain, a.email_domain) AS email_domain, a.organisation
    FROM (SELECT DISTINCT framework, person_key FROM work) AS w
    JOIN int_identities AS i USING (person_key)
    LEFT JOIN int_accounts AS a ON i.kind = 'account' AND a.platform = i.platform AND a.account_id = i.account_id
),
staff AS (
    SELECT DISTINCT p.framework, p.person_key
    FROM person_domains AS p
    LEFT JOIN catalogue_vendor_domains AS d
      ON d.framework = p.framework AND (p.email_domain = d.email_domain OR p.email_domain LIKE '%.' || d.email_domain)
    LEFT JOIN catalogue_vendor_companies AS v
      ON v.framework = p.framework AND contains(p.organisation, v.company)
    WHERE d.email_domain IS NOT NULL OR v.company IS NOT NULL
),
flagged AS (
    SELECT w.*, s.person_key IS NOT NULL AS by_staff, v.email_domain IS NOT NULL AS vendor_domain
    FROM work AS w
    LEFT JOIN staff AS s USING (framework, person_key)
    LEFT JOIN vendor_domains AS v USING (framework, email_domain)
),
shares AS (
    SELECT framework, min(basis) AS basis,
        count(DISTINCT person_key) AS authors,
        count(DISTINCT person_key) FILTER (WHERE by_staff) AS vendor_authors,
        count(DISTINCT identity) AS author_emails,
        count(DISTINCT identity) FILTER (WHERE vendor_domain) AS vendor_author_emails,
        sum(weight)::BIGINT AS commits,
        coalesce(sum(weight) FILTER (WHERE by_staff), 0)::BIGINT AS vendor_commits,
        coalesce(sum(weight) FILTER (WHERE vendor_domain), 0)::BIGINT AS vendor_commits_by_email_domain,
        coalesce(sum(weight) FILTER (WHERE email_domain = 'users.noreply.github.com'), 0)::BIGINT AS noreply_commits
    FROM flagged GROUP BY framework
),
domain_lists AS (
    SELECT framework, list(email_domain ORDER BY email_domain) AS vendor_domains
    FROM catalogue_vendor_domains GROUP BY framework
)
SELECT
    framework, f.vendor, s.basis,
    coalesce(s.authors, 0) AS authors,
    coalesce(s.vendor_authors, 0) AS vendor_authors,
    CASE WHEN s.authors > 0 THEN s.vendor_authors / s.authors END AS vendor_author_share,
    coalesce(s.commits, 0) AS commits,
    coalesce(s.vendor_commits, 0) AS vendor_commits,
    CASE WHEN s.commits > 0 THEN s.vendor_commits / s.commits END AS vendor_commit_share,
    coalesce(s.author_emails, 0) AS author_emails,
    coalesce(s.vendor_author_emails, 0) AS vendor_author_emails,
    CASE WHEN s.author_emails > 0 THEN s.vendor_author_emails / s.author_emails END AS vendor_author_email_share,
    coalesce(s.vendor_commits_by_email_domain, 0) AS vendor_commits_by_email_domain,
    CASE WHEN s.commits > 0 THEN s.vendor_commits_by_email_domain / s.commits END AS vendor_commit_share_by_email_domain,
    coalesce(s.noreply_commits, 0) AS noreply_commits,
    CASE WHEN s.commits > 0 THEN s.noreply_commits / s.commits END AS noreply_commit_share,
    coalesce(l.vendor_domains, []) AS vendor_domains
FROM catalogue_frameworks AS f
FULL JOIN shares AS s USING (framework)
LEFT JOIN domain_lists AS l USING (framework)
