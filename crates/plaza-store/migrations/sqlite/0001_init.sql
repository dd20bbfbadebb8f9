-- Plaza schema, SQLite. Times are milliseconds since the epoch (INTEGER); hashes are BLOBs.
-- Forward-only: never edit an applied migration, add a new one.

CREATE TABLE instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The record: headers and payloads apart, so a lawful destruction can erase a payload while
-- the chain and the Merkle tree still verify.
CREATE TABLE record_entries (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    policy_version INTEGER,
    payload_sha256 BLOB NOT NULL,
    leaf_hash      BLOB NOT NULL,
    chain_hash     BLOB NOT NULL
);
CREATE INDEX record_entries_subject ON record_entries (subject, seq);
CREATE INDEX record_entries_kind ON record_entries (kind, seq);
CREATE INDEX record_entries_actor ON record_entries (actor, seq);
CREATE INDEX record_entries_at ON record_entries (at);

CREATE TABLE record_payloads (
    seq  INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);

-- A payload may be erased only after a destruction is recorded for it (Gov. Code 34090:
-- council resolution and the city attorney's written consent). Append-only itself.
CREATE TABLE record_destructions (
    seq           INTEGER PRIMARY KEY,
    authorized_by TEXT NOT NULL,
    at            INTEGER NOT NULL
);

CREATE TABLE record_checkpoints (
    tree_size INTEGER PRIMARY KEY,
    root      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    key_id    TEXT NOT NULL,
    signature BLOB NOT NULL,
    frontier  BLOB NOT NULL
);

CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE policy_versions (
    id        INTEGER PRIMARY KEY,
    label     TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    body      TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    loaded_by TEXT NOT NULL
);

CREATE TRIGGER record_entries_no_update BEFORE UPDATE ON record_entries
BEGIN SELECT RAISE(ABORT, 'the record is append-only: UPDATE on record_entries refused'); END;
CREATE TRIGGER record_entries_no_delete BEFORE DELETE ON record_entries
BEGIN SELECT RAISE(ABORT, 'the record is append-only: DELETE on record_entries refused'); END;
CREATE TRIGGER record_payloads_no_update BEFORE UPDATE ON record_payloads
BEGIN SELECT RAISE(ABORT, 'the record is append-only: UPDATE on record_payloads refused'); END;
CREATE TRIGGER record_payloads_no_delete BEFORE DELETE ON record_payloads
WHEN NOT EXISTS (SELECT 1 FROM record_destructions d WHERE d.seq = OLD.seq)
BEGIN SELECT RAISE(ABORT, 'the record is append-only: DELETE on record_payloads refused without a recorded destruction'); END;
CREATE TRIGGER record_destructions_no_update BEFORE UPDATE ON record_destructions
BEGIN SELECT RAISE(ABORT, 'the record is append-only: UPDATE on record_destructions refused'); END;
CREATE TRIGGER record_destructions_no_delete BEFORE DELETE ON record_destructions
BEGIN SELECT RAISE(ABORT, 'the record is append-only: DELETE on record_destructions refused'); END;
CREATE TRIGGER record_checkpoints_no_update BEFORE UPDATE ON record_checkpoints
BEGIN SELECT RAISE(ABORT, 'the record is append-only: UPDATE on record_checkpoints refused'); END;
CREATE TRIGGER record_checkpoints_no_delete BEFORE DELETE ON record_checkpoints
BEGIN SELECT RAISE(ABORT, 'the record is append-only: DELETE on record_checkpoints refused'); END;
CREATE TRIGGER policy_versions_no_update BEFORE UPDATE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'policy versions are append-only: UPDATE refused'); END;
CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'policy versions are append-only: DELETE refused'); END;

CREATE TABLE legislative_bodies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    seats      INTEGER NOT NULL,
    quorum     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    department      TEXT NOT NULL,
    roles           TEXT NOT NULL,
    body_id         INTEGER REFERENCES legislative_bodies (id),
    password_hash   TEXT,
    disabled_at     INTEGER,
    disabled_reason TEXT,
    created_at      INTEGER NOT NULL
);

CREATE TABLE official_accounts (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    platform   TEXT NOT NULL,
    handle     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (platform, handle)
);

CREATE TABLE policy_acknowledgements (
    person_id  INTEGER NOT NULL REFERENCES people (id),
    version_id INTEGER NOT NULL REFERENCES policy_versions (id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (person_id, version_id)
);

CREATE TABLE sites (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    platform           TEXT NOT NULL,
    handle             TEXT NOT NULL,
    url                TEXT NOT NULL,
    department         TEXT NOT NULL,
    registration_email TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    state              TEXT NOT NULL,
    proposed_by        INTEGER NOT NULL REFERENCES people (id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (platform, handle)
);

CREATE TABLE consultations (
    id        INTEGER PRIMARY KEY,
    site_id   INTEGER NOT NULL REFERENCES sites (id),
    area      TEXT NOT NULL,
    verdict   TEXT NOT NULL,
    note      TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people (id),
    at        INTEGER NOT NULL
);
CREATE INDEX consultations_site ON consultations (site_id, id);

CREATE TABLE authorizations (
    id                 INTEGER PRIMARY KEY,
    person_id          INTEGER NOT NULL REFERENCES people (id),
    site_id            INTEGER NOT NULL REFERENCES sites (id),
    level              TEXT NOT NULL,
    scope              TEXT NOT NULL,
    granted_by         INTEGER NOT NULL REFERENCES people (id),
    granted_at         INTEGER NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER,
    revoked_at         INTEGER,
    revoked_by         INTEGER REFERENCES people (id),
    revoke_reason      TEXT,
    attested_at        INTEGER,
    attested_by        INTEGER REFERENCES people (id),
    attestation        TEXT,
    policy_version     INTEGER NOT NULL
);
CREATE INDEX authorizations_person ON authorizations (person_id);
CREATE INDEX authorizations_site ON authorizations (site_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE login_attempts (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ok    INTEGER NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);

-- Captured posts and comments (the capture engine fills this; the demo seeds it).
CREATE TABLE content_items (
    id              INTEGER PRIMARY KEY,
    site_id         INTEGER NOT NULL REFERENCES sites (id),
    kind            TEXT NOT NULL,
    platform_id     TEXT NOT NULL,
    parent_id       INTEGER REFERENCES content_items (id),
    author_handle   TEXT NOT NULL,
    author_name     TEXT NOT NULL,
    body            TEXT NOT NULL,
    url             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    captured_at     INTEGER NOT NULL,
    record_seq      INTEGER NOT NULL,
    UNIQUE (site_id, platform_id)
);
CREATE INDEX content_items_site ON content_items (site_id, created_at);
