-- Case store, SQLite. The PostgreSQL migration of the same number creates
-- the same tables with the same columns (TestSchemasAgree checks it); only
-- types and storage options differ. Times are RFC 3339 text in UTC, except
-- obs.t (Unix microseconds, plus obs.t_ns for the nanoseconds a record's
-- time may carry), which is stored once per observation.

-- +goose Up
CREATE TABLE cases (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    created        TEXT    NOT NULL,
    keep_records   INTEGER NOT NULL DEFAULT 0,
    hmac_key_id    TEXT    NOT NULL DEFAULT '',
    hunted_through INTEGER NOT NULL DEFAULT 0
);

-- One check of one piece of evidence: provenance, device, verdict.
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL,
    run_key       TEXT    NOT NULL,
    added         TEXT    NOT NULL,
    results_dir   TEXT    NOT NULL,
    tool_version  TEXT    NOT NULL,
    tool_commit   TEXT    NOT NULL,
    command       TEXT    NOT NULL,
    started       TEXT    NOT NULL,
    finished      TEXT    NOT NULL,
    evidence_kind TEXT    NOT NULL,
    evidence_path TEXT    NOT NULL,
    device        TEXT    NOT NULL,
    indicators    TEXT    NOT NULL,
    modules       TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    records       INTEGER NOT NULL,
    observations  INTEGER NOT NULL,
    UNIQUE (case_id, run_key)
);
CREATE INDEX runs_case ON runs (case_id);

-- Evidence files and their SHA-256, as the check hashed them.
CREATE TABLE inputs (
    run_id INTEGER NOT NULL,
    path   TEXT    NOT NULL,
    size   INTEGER NOT NULL,
    sha256 TEXT    NOT NULL
);
CREATE INDEX inputs_run ON inputs (run_id);

-- Where an observation came from: module, artifact inside the evidence,
-- field of the record. Per run, so nothing of a case outlives it.
CREATE TABLE origins (
    id     INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    module TEXT    NOT NULL,
    source TEXT    NOT NULL,
    field  TEXT    NOT NULL
);
CREATE INDEX origins_run ON origins (run_id);

-- Every distinct observed value once (kind, value as observed or its HMAC),
-- with its lookup keys packed as big-endian int64s. Values are unique by a
-- 128-bit digest: an index on the text itself would be larger and would
-- refuse long values (PostgreSQL's B-tree entries stop at about 2.7 kB).
CREATE TABLE vals (
    id     INTEGER PRIMARY KEY,
    kind   TEXT    NOT NULL,
    value  TEXT    NOT NULL,
    digest BLOB    NOT NULL,
    keys   BLOB    NOT NULL,
    UNIQUE (kind, digest)
);

-- The hunt index: lookup key → value.
CREATE TABLE val_keys (
    k      INTEGER NOT NULL,
    val_id INTEGER NOT NULL,
    PRIMARY KEY (k, val_id)
) WITHOUT ROWID;

-- Value → runs that observed it.
CREATE TABLE run_vals (
    val_id INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (val_id, run_id)
) WITHOUT ROWID;

-- Each observation: which value, where (origin, record ordinal in
-- <module>.json, position among the record's observables), when (the
-- record's first time). Stored by record, so a hunt rebuilds a whole record
-- (the matcher may weigh one observable by another of the same record);
-- found by value through obs_run_val.
CREATE TABLE obs (
    run_id    INTEGER NOT NULL,
    origin_id INTEGER NOT NULL,
    rec       INTEGER NOT NULL,
    pos       INTEGER NOT NULL,
    val_id    INTEGER NOT NULL,
    t         INTEGER,
    t_ns      INTEGER,
    PRIMARY KEY (run_id, origin_id, rec, pos)
) WITHOUT ROWID;
CREATE INDEX obs_run_val ON obs (run_id, val_id);

-- Whole records, only for cases added with --keep-records.
CREATE TABLE records (
    run_id INTEGER NOT NULL,
    module TEXT    NOT NULL,
    rec    INTEGER NOT NULL,
    body   TEXT    NOT NULL,
    PRIMARY KEY (run_id, module, rec)
) WITHOUT ROWID;

-- Findings of the check and of later hunts (hunt_id set).
CREATE TABLE findings (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL,
    run_id    INTEGER NOT NULL,
    fkey      TEXT    NOT NULL,
    hunt_id   INTEGER,
    severity  INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    detection TEXT    NOT NULL,
    UNIQUE (case_id, fkey)
);

-- Every indicator a hunt has used, and the hunt that first used it; digest
-- identifies it (STIX id, type and value) in the unique index.
CREATE TABLE indicators (
    id         INTEGER PRIMARY KEY,
    stix_id    TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    campaign   TEXT    NOT NULL,
    file       TEXT    NOT NULL,
    digest     BLOB    NOT NULL,
    first_hunt INTEGER NOT NULL,
    UNIQUE (digest)
);

CREATE TABLE hunts (
    id             INTEGER PRIMARY KEY,
    started        TEXT    NOT NULL,
    finished       TEXT    NOT NULL DEFAULT '',
    rerun_all      INTEGER NOT NULL,
    files          TEXT    NOT NULL,
    indicators     INTEGER NOT NULL DEFAULT 0,
    new_indicators INTEGER NOT NULL DEFAULT 0,
    cases          INTEGER NOT NULL DEFAULT 0,
    new_findings   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hunt_cases (
    hunt_id            INTEGER NOT NULL,
    case_id            INTEGER NOT NULL,
    indicators_checked INTEGER NOT NULL,
    candidates         INTEGER NOT NULL,
    new_findings       INTEGER NOT NULL,
    highest            TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    PRIMARY KEY (hunt_id, case_id)
);
CREATE INDEX hunt_cases_case ON hunt_cases (case_id);

-- +goose Down
DROP TABLE hunt_cases;
DROP TABLE hunts;
DROP TABLE indicators;
DROP TABLE findings;
DROP TABLE records;
DROP TABLE obs;
DROP TABLE run_vals;
DROP TABLE val_keys;
DROP TABLE vals;
DROP TABLE origins;
DROP TABLE inputs;
DROP TABLE runs;
DROP TABLE cases;
