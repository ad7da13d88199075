-- The centre's schema as CentralDB.create_schema() made it on SQLite before the dashboard
-- (commit ab7f41f; the sqlite_master dump of an empty database): a database of that
-- release is adopted by the migrations. Frozen: never edit; test_migrations.py.
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
	PRIMARY KEY (entry_id), 
	UNIQUE (nik), 
	UNIQUE (reference)
);

CREATE INDEX ix_registrations_station_id ON registrations (station_id);

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

