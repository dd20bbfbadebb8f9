-- Capture (issue 4): versions of every item, disappearances, runs and gaps, follower snapshots,
-- per-site endpoints, imports.
ALTER TABLE content_items ADD COLUMN author_id TEXT NOT NULL DEFAULT '';
ALTER TABLE content_items ADD COLUMN parent_platform_id TEXT;
ALTER TABLE content_items ADD COLUMN root_platform_id TEXT;
ALTER TABLE content_items ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE content_items ADD COLUMN versions INTEGER NOT NULL DEFAULT 1;
ALTER TABLE content_items ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
ALTER TABLE content_items ADD COLUMN gone_at INTEGER;
ALTER TABLE content_items ADD COLUMN last_seen_at INTEGER;
ALTER TABLE content_items ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_items ADD COLUMN reposts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_items ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_items ADD COLUMN decision TEXT;
ALTER TABLE content_items ADD COLUMN assessment TEXT;
-- 1 once live capture has listed the item: only such items are judged gone when a listing
-- no longer shows them (an imported item the API never lists is not "deleted").
ALTER TABLE content_items ADD COLUMN seen_live INTEGER NOT NULL DEFAULT 0;
CREATE INDEX content_items_root ON content_items (site_id, root_platform_id);
CREATE INDEX content_items_decision ON content_items (decision, captured_at);

-- Every version of every item, once (by content hash). The text of each version is in its
-- record entry (record_seq), once, where retention can find it.
CREATE TABLE content_versions (
    site_id      INTEGER NOT NULL REFERENCES sites (id),
    platform_id  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    captured_at  INTEGER NOT NULL,
    record_seq   INTEGER NOT NULL,
    PRIMARY KEY (site_id, platform_id, version)
);

-- Where each site is reached. The secret itself is a file in the data directory.
CREATE TABLE site_endpoints (
    site_id               INTEGER PRIMARY KEY REFERENCES sites (id),
    base_url              TEXT NOT NULL,
    read_url              TEXT,
    account               TEXT NOT NULL,
    secret_sha256         TEXT NOT NULL,
    credential_expires_at INTEGER,
    updated_at            INTEGER NOT NULL
);

-- The state of each site's capture: its cursor, last success, last failure.
CREATE TABLE capture_state (
    site_id          INTEGER PRIMARY KEY REFERENCES sites (id),
    account_id       TEXT,
    cursor           TEXT,
    last_attempt_at  INTEGER,
    last_success_at  INTEGER,
    last_error       TEXT,
    last_error_code  TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    followers_at     INTEGER
);

-- One row per capture pass, successful or not: the continuity report reads these.
CREATE TABLE capture_runs (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites (id),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    new_items    INTEGER NOT NULL,
    new_versions INTEGER NOT NULL,
    gone         INTEGER NOT NULL,
    error        TEXT,
    record_seq   INTEGER NOT NULL
);
CREATE INDEX capture_runs_site ON capture_runs (site_id, started_at);

-- Daily follower snapshots (B.19).
CREATE TABLE follower_snapshots (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites (id),
    taken_at   INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    record_seq INTEGER NOT NULL
);
CREATE INDEX follower_snapshots_site ON follower_snapshots (site_id, taken_at);

-- Imports of platform exports: resumable (items_done) and idempotent (one row per file).
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites (id),
    format        TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    items_total   INTEGER NOT NULL,
    items_done    INTEGER NOT NULL,
    new_items     INTEGER NOT NULL DEFAULT 0,
    new_versions  INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    UNIQUE (site_id, source_sha256)
);
