-- An agent found by phone in 办件查询 (who comes back to collect for the applicant).
CREATE INDEX case_agent_phone ON case_file (agent_phone) WHERE agent_phone IS NOT NULL;
