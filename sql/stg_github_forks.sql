-- GitHub forks of tracked repositories, current list (int_listed_forks). GitHub's pushed_at tells
-- whether a fork lives on.
SELECT * FROM int_listed_forks WHERE platform = 'github'
