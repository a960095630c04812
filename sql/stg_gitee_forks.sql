-- Gitee forks of tracked repositories, current list (int_listed_forks); Gitee reports pushed_at and
-- stargazers_count of a fork like GitHub does.
SELECT * FROM int_listed_forks WHERE platform = 'gitee'
