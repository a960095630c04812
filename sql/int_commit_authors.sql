-- One row per commit author identity (keyed email hash) with what commits say about it beyond
-- stg_commits: the hashed author name and the GitHub account a noreply address encodes (identity
-- evidence), its email domain and whether it is a bot.
--
-- Columns:
--   author_key: keyed hash of the author email
--   email_domain: its email domain
--   name_key: keyed hash of the author name it uses most
--   noreply_account_id: GitHub account id encoded in its ID+login@users.noreply.github.com address
--   commits: distinct commits by it (all repositories and branches)
--   is_bot: any of its commits is flagged as a bot's
SELECT
    author_key,
    min(email_domain) AS email_domain,
    mode(name_key) AS name_key,
    max(noreply_account_id) AS noreply_account_id,
    count(DISTINCT sha) AS commits,
    bool_or(coalesce(is_bot, false)) AS is_bot
FROM raw_commits
WHERE author_key IS NOT NULL
GROUP BY author_key
