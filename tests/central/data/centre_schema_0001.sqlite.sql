-- The centre's schema exactly as CentralDB.create_schema() made it on SQLite before
-- migrations, with every module of ektp_station.central loaded (commit 5e28403; the
-- sqlite_master dump of an empty database). Frozen: never edit; test_migrations.py.
CREATE TABLE stations (
	station_id VARCHAR(64) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME, 
	reported_pending INTEGER, 
	reported_oldest_unsynced_at DATETIME, 
	clock_skew_seconds FLOAT, 
	nik_recorded_answers INTEGER DEFAULT 0 NOT NULL, 
	nik_probe_window_start DATETIME, 
	nik_probe_window_count INTEGER DEFAULT 0 NOT NULL, 
	PRIMARY KEY (station_id), 
	UNIQUE (token_hash)
);

CREATE TABLE registrations (
	entry_id VARCHAR(36) NOT NULL, 
	nik VARCHAR(16) NOT NULL, 
	station_id VARCHAR(64) NOT NULL, 
	operator VARCHAR(64) NOT NULL, 
	captured_at DATETIME NOT NULL, 
	received_at DATETIME NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	record TEXT NOT NULL, 
	reference VARCHAR(32) NOT NULL, 
	revision INTEGER DEFAULT 1 NOT NULL, 
	corrected_at DATETIME, 
	kelurahan_code VARCHAR(13), 
	PRIMARY KEY (entry_id), 
	UNIQUE (nik), 
	UNIQUE (reference)
);

CREATE INDEX ix_registrations_station_id ON registrations (station_id);

CREATE INDEX ix_registrations_captured_at ON registrations (captured_at);

CREATE TABLE registration_revisions (
	entry_id VARCHAR(36) NOT NULL, 
	revision INTEGER NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	record TEXT NOT NULL, 
	nik VARCHAR(16) NOT NULL, 
	operator VARCHAR(64) NOT NULL, 
	captured_at DATETIME NOT NULL, 
	received_at DATETIME NOT NULL, 
	PRIMARY KEY (entry_id, revision)
);

CREATE TABLE uploads (
	upload_id VARCHAR(32) NOT NULL, 
	station_id VARCHAR(64) NOT NULL, 
	entry_id VARCHAR(36) NOT NULL, 
	part VARCHAR(16) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	length BIGINT NOT NULL, 
	received BIGINT DEFAULT 0 NOT NULL, 
	created_at DATETIME NOT NULL, 
	verified_at DATETIME, 
	PRIMARY KEY (upload_id), 
	CONSTRAINT uq_uploads_entry_part UNIQUE (entry_id, part)
);

CREATE INDEX ix_uploads_sha256 ON uploads (sha256);

CREATE TABLE enrolments (
	entry_id VARCHAR(36) NOT NULL, 
	station_id VARCHAR(64) NOT NULL, 
	manifest_hash VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reason VARCHAR(32), 
	decided_at DATETIME NOT NULL, 
	PRIMARY KEY (entry_id)
);

CREATE INDEX ix_enrolments_station_id ON enrolments (station_id);

CREATE TABLE backlog_samples (
	station_id VARCHAR(64) NOT NULL, 
	minute DATETIME NOT NULL, 
	pending INTEGER NOT NULL, 
	PRIMARY KEY (station_id, minute)
);

CREATE TABLE supervisors (
	name VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	created_at DATETIME NOT NULL, 
	password_changed_at DATETIME NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE supervisor_sessions (
	session_hash VARCHAR(64) NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	csrf_token VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	PRIMARY KEY (session_hash)
);

CREATE INDEX ix_supervisor_sessions_name ON supervisor_sessions (name);

CREATE TABLE login_failures (
	id INTEGER NOT NULL, 
	"key" VARCHAR(128) NOT NULL, 
	failed_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_login_failures_key_at ON login_failures ("key", failed_at);

