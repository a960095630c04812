-- Every platform's commits: one row per repository and commit (sha), from git history where it was
-- cloned and from the commits API otherwise (the clone wins when both landed it), as last observed.
-- For `git:` sources platform is git and repo the URL or path as given. Emails are never stored:
-- email_domain plus a keyed hash (author_key) link authors across repositories and platforms.
--
-- Columns:
--   platform: github, gitee, gitlab, or git for a repository mined from a git URL or path
--   repo: tracked repository path as configured (for git: the URL or path as given)
--   sha: commit id
--   authored_at: author time in UTC
--   author_utc_offset_minutes: author's UTC offset in minutes (NULL when the source carries none)
--   committer_utc_offset_minutes: committer's UTC offset in minutes (NULL when the source carries none)
--   email_domain: author email domain (GitHub noreply addresses: users.noreply.github.com)
--   author_key: keyed hash of the author email; people are counted by it (the address is never stored)
--   on_default_branch: the commit is reachable from the default branch
--   is_bot: the author is a bot ([bot] suffix, CI accounts, configured patterns)
SELECT
    platform, repo, sha, authored_at, author_utc_offset_minutes, committer_utc_offset_minutes,
    email_domain, author_key, coalesce(on_default_branch, false) AS on_default_branch,
    coalesce(is_bot, false) AS is_bot
FROM raw_commits
WHERE sha IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY platform, repo, sha ORDER BY source = 'git' DESC NULLS LAST, observed_at DESC, run_id DESC) = 1
