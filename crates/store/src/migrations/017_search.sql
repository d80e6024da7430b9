-- Search at the counter: an applicant by the pinyin of the name (full, or the initials
-- `wxy`), or by the last four characters of an ID number or phone; an inquiry's documents
-- without reading the whole document table. The pinyin columns are filled by the program
-- (at this migration for the applicants already held, then at every write of a name).
ALTER TABLE applicant ADD COLUMN name_pinyin TEXT;
ALTER TABLE applicant ADD COLUMN name_initials TEXT;
CREATE INDEX applicant_name_pinyin ON applicant (name_pinyin);
CREATE INDEX applicant_name_initials ON applicant (name_initials);
CREATE INDEX applicant_id_tail ON applicant (substr(id_number, -4));
CREATE INDEX applicant_phone_tail ON applicant (substr(phone, -4));
CREATE INDEX document_inquiry ON document (inquiry_id);
