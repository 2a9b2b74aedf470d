-- When a zone is in force: {"from":"22:00","to":"07:00","days":[1,2],"tz":"Asia/Shanghai"};
-- NULL means always.
ALTER TABLE zones ADD COLUMN schedule jsonb;
