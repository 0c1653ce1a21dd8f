/**
 * Migration 1: the station's index. Plain SQL that runs unchanged on PostgreSQL 15+ and PGlite 0.5
 * (no extensions: full-text search uses the built-in tsvector).
 */
export const migration001 = {
  version: 1,
  name: "index",
  sql: `
CREATE TABLE vehicles (
  id text PRIMARY KEY,
  name text,
  agency text,
  first_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE officers (
  id text PRIMARY KEY,
  first_seen timestamptz NOT NULL DEFAULT now()
);

-- One row per car event that verified (files hashed against the manifest, manifest sane).
CREATE TABLE events (
  event_id text PRIMARY KEY,
  vehicle_id text NOT NULL REFERENCES vehicles(id),
  officer_id text REFERENCES officers(id),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  trigger_kind text NOT NULL,
  trigger_id text NOT NULL,
  category text,
  critical boolean NOT NULL DEFAULT false,
  notes text NOT NULL DEFAULT '',
  notes_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', notes)) STORED,
  clock_offset_ms integer NOT NULL DEFAULT 0,
  pre_event_seconds real NOT NULL DEFAULT 0,
  key_prefix text NOT NULL UNIQUE,
  manifest_sha256 text NOT NULL,
  manifest jsonb NOT NULL,
  audit_state text NOT NULL CHECK (audit_state IN ('verified', 'not-uploaded')),
  bytes bigint NOT NULL DEFAULT 0,
  indexed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_started ON events (started_at DESC, event_id DESC);
CREATE INDEX events_vehicle ON events (vehicle_id, started_at DESC, event_id DESC);
CREATE INDEX events_officer ON events (officer_id, started_at DESC, event_id DESC);
CREATE INDEX events_trigger ON events (trigger_kind, started_at DESC, event_id DESC);
CREATE INDEX events_category ON events (category, started_at DESC, event_id DESC);
CREATE INDEX events_notes ON events USING gin (notes_tsv);

CREATE TABLE files (
  event_id text NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
  file text NOT NULL,
  camera text NOT NULL,
  object_key text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  duration_seconds real NOT NULL DEFAULT 0,
  part integer NOT NULL DEFAULT 1,
  PRIMARY KEY (event_id, file)
);

-- Labels on an event: from its manifest (category) or added at the station.
CREATE TABLE tags (
  event_id text NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
  name text NOT NULL,
  source text NOT NULL CHECK (source IN ('manifest', 'station')),
  added_by text,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, name)
);
CREATE INDEX tags_name ON tags (name);

CREATE TABLE bodycam_clips (
  clip_id text PRIMARY KEY,
  cam_id text NOT NULL,
  officer_id text REFERENCES officers(id),
  vehicle_id text,
  event_id text,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  clock_offset_ms integer NOT NULL DEFAULT 0,
  aligned_start timestamptz NOT NULL,
  aligned_end timestamptz NOT NULL,
  key_prefix text NOT NULL UNIQUE,
  manifest_sha256 text NOT NULL,
  manifest jsonb NOT NULL,
  bytes bigint NOT NULL DEFAULT 0,
  indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clips_event ON bodycam_clips (event_id);
CREATE INDEX clips_cam ON bodycam_clips (cam_id, aligned_start);
CREATE INDEX clips_officer ON bodycam_clips (officer_id, aligned_start);

CREATE TABLE clip_files (
  clip_id text NOT NULL REFERENCES bodycam_clips(clip_id) ON DELETE CASCADE,
  file text NOT NULL,
  object_key text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  duration_seconds real NOT NULL DEFAULT 0,
  PRIMARY KEY (clip_id, file)
);

-- An incident is a car event (same id) with its clips; case number set at the station.
CREATE TABLE incidents (
  id text PRIMARY KEY,
  case_number text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_case ON incidents (case_number);

-- Which clips belong to which incident: 'event-id' (the clip carries the event id) or 'time'
-- (same cam/officer, overlapping on the station's time axis). A user may unlink a time link; the
-- row stays (unlinked_at) so the linker never links it again.
CREATE TABLE incident_clips (
  incident_id text NOT NULL,
  clip_id text NOT NULL REFERENCES bodycam_clips(clip_id) ON DELETE CASCADE,
  link text NOT NULL CHECK (link IN ('event-id', 'time')),
  linked_at timestamptz NOT NULL DEFAULT now(),
  unlinked_at timestamptz,
  unlinked_by text,
  PRIMARY KEY (incident_id, clip_id)
);
CREATE INDEX incident_clips_clip ON incident_clips (clip_id);

CREATE TABLE users (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('viewer', 'supervisor', 'admin')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

CREATE TABLE sessions (
  token_sha256 text PRIMARY KEY,
  user_name text NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- What failed verification: never indexed, shown with its reason. One row per prefix and manifest.
CREATE TABLE quarantine (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('event', 'bodycam-clip')),
  key_prefix text NOT NULL,
  vehicle_id text,
  subject_id text,
  reason text NOT NULL,
  detail text NOT NULL,
  manifest_sha256 text NOT NULL DEFAULT '',
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  count integer NOT NULL DEFAULT 1,
  UNIQUE (key_prefix, manifest_sha256, reason)
);

CREATE TABLE station_alerts (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  code text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message text NOT NULL,
  key_prefix text
);
CREATE INDEX station_alerts_at ON station_alerts (at DESC);

-- Ingest work: one row per object prefix holding a manifest. Claimed with FOR UPDATE SKIP LOCKED;
-- a claim is a lease (lease_until) so a crashed worker's job is taken over once it expires.
CREATE TABLE ingest_jobs (
  key_prefix text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('event', 'bodycam-clip')),
  manifest_etag text NOT NULL DEFAULT '',
  state text NOT NULL CHECK (state IN ('pending', 'running', 'done', 'quarantined', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  claimed_by text,
  lease_until timestamptz,
  last_error text,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX ingest_jobs_ready ON ingest_jobs (state, lease_until);

-- Where the incremental bucket listing is (StartAfter), so a restart continues the pass.
CREATE TABLE ingest_cursors (
  name text PRIMARY KEY,
  start_after text NOT NULL DEFAULT '',
  pass integer NOT NULL DEFAULT 0,
  pass_started_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The fleet, from the bridged camsync/v1/{vehicleId}/status topics.
CREATE TABLE fleet_status (
  vehicle_id text PRIMARY KEY,
  online boolean NOT NULL,
  state text,
  event_id text,
  recording boolean NOT NULL DEFAULT false,
  backlog integer,
  status jsonb NOT NULL,
  last_seen timestamptz NOT NULL
);
`,
};
