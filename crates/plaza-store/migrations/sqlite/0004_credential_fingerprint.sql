-- A credential is named by a keyed fingerprint (HMAC-SHA256 under a key kept in the data
-- directory), not its bare SHA-256: the record is public, and a bare hash of a weak password
-- can be guessed offline. Rows written before keep their SHA-256 under the new name.
ALTER TABLE site_endpoints RENAME COLUMN secret_sha256 TO secret_fingerprint;
