-- GitLab forks of tracked projects, current list (int_listed_forks). A GitLab fork belongs to a
-- namespace: a user, or a group (owner_type Organization); its pushed_at is last_activity_at.
--
-- Columns:
--   owner_type: User, or Organization for a group namespace
SELECT * REPLACE (CASE WHEN owner_type IN ('group', 'Group') THEN 'Organization' ELSE owner_type END AS owner_type)
FROM int_listed_forks
WHERE platform = 'gitlab'
