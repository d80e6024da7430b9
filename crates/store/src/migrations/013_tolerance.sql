-- Migration 13: 容缺受理 (accepting with tolerable materials owed, on a written commitment),
-- 终止办理, and the collector checked at hand-over.
-- The program widens three CHECK lists in this migration's transaction (a change of the
-- schema's text only, no row is rewritten): case_file.status takes 'terminated',
-- case_file.decision takes 'tolerated', document.kind takes 'tolerance', 'commitment' and
-- 'termination'.

-- What a 容缺 case owes now (a JSON list of {material, name, problem}; NULL when nothing),
-- and the day it is owed by (kept once set: the commitment is judged against it).
ALTER TABLE case_file ADD COLUMN owed TEXT CHECK (owed IS NULL OR json_valid(owed));
ALTER TABLE case_file ADD COLUMN owed_by TEXT;
-- Who collected, as checked against the applicant and the agent: their ID number and
-- whether they were the applicant, the agent or another person with a power of attorney.
ALTER TABLE case_file ADD COLUMN collector_id_number TEXT;
ALTER TABLE case_file ADD COLUMN collector_role TEXT CHECK (collector_role IS NULL OR collector_role IN ('applicant', 'agent', 'attorney'));
CREATE INDEX case_owed ON case_file (owed_by) WHERE owed IS NOT NULL;
