-- Gitee stargazers of tracked repositories, current list (int_listed_stargazers); Gitee gives the
-- star time as star_at.
SELECT * FROM int_listed_stargazers WHERE platform = 'gitee'
