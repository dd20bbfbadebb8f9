-- The signed copy of a written authorization: stored by its SHA-256 in the data directory.
ALTER TABLE authorizations ADD COLUMN signed_copy_sha256 TEXT;
ALTER TABLE authorizations ADD COLUMN signed_copy_name TEXT;
ALTER TABLE authorizations ADD COLUMN signed_copy_type TEXT;
