-- Which key each code's hash was made under: a short fingerprint of the key (never the key), so that codes made
-- under an earlier admin token or code-hash key can be listed as void. Codes from before this column stay NULL:
-- their key is unknown, and they are listed by their other fields as before.
ALTER TABLE enrollment_code ADD COLUMN key_id varchar(16);
