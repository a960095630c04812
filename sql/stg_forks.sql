-- Forks of tracked repositories on every platform, current list (int_listed_forks); pushed_at tells
-- whether a fork lives on (a GitLab project's last_activity_at). A GitLab fork belongs to a namespace:
-- a user, or a group (owner_type Organization).
--
-- Columns:
--   owner_type: User, or Organization (an organisation, or a GitLab group namespace)
SELECT * REPLACE (CASE WHEN owner_type IN ('group', 'Group') THEN 'Organization' ELSE owner_type END AS owner_type)
FROM int_listed_forks
