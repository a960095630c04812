-- Pull/merge request and issue totals per repository and run, from the per-state counts. A total is
-- the `all` count when the source gave one, else open + closed + merged (merged apart from closed,
-- as GitHub GraphQL and GitLab count them). Raw states are read as every platform spells them
-- (GitLab opened/locked and Gitee progressing are open).
--
-- Columns:
--   pull_requests: pull/merge requests in every state
--   open_pull_requests: open pull/merge requests
--   issues: issues in every state
--   open_issues: open issues
WITH states AS (
    SELECT platform, repo, run_id, kind,
        max("count") FILTER (WHERE state = 'all') AS all_states,
        sum("count") FILTER (WHERE state <> 'all') AS summed,
        sum("count") FILTER (WHERE state IN ('open', 'opened', 'locked', 'progressing')) AS open_now,
        max(observed_at) AS observed_at
    FROM raw_activity
    GROUP BY ALL
)
SELECT platform, repo, run_id,
    max(coalesce(all_states, summed)) FILTER (WHERE kind = 'pull_requests')::BIGINT AS pull_requests,
    max(open_now) FILTER (WHERE kind = 'pull_requests')::BIGINT AS open_pull_requests,
    max(coalesce(all_states, summed)) FILTER (WHERE kind = 'issues')::BIGINT AS issues,
    max(open_now) FILTER (WHERE kind = 'issues')::BIGINT AS open_issues,
    max(observed_at) AS observed_at
FROM states
GROUP BY ALL
