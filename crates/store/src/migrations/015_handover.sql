-- Migration 15: the hand-over slip (办理结果领取单). At collection the centre issues a slip
-- naming who took the result (the applicant, the agent, or another person holding the
-- applicant's power of attorney) with their ID number masked, signed for at the counter; its
-- stub stays with the centre.
-- The program widens document.kind's CHECK list in this migration's transaction to take
-- 'handover' (a change of the schema's text only, no row is rewritten).
SELECT 1;
