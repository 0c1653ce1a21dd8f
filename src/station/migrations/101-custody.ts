/**
 * Migration 101: custody (issue 15). Numbered after the index migrations so both lines can grow.
 * The station audit chain, categories, legal holds, the deletion queue and share links; and each
 * car event's anchor in its car's audit chain (the head of the audit excerpt uploaded with it).
 */
export const migration101 = {
  version: 101,
  name: "custody",
  sql: `
-- The station's hash-chained audit log: the exact line of each entry (what the chain hashes), in
-- the car's format. Appended under an advisory lock so N processes keep one chain.
CREATE TABLE station_audit (
  seq bigint PRIMARY KEY,
  line text NOT NULL,
  hash text NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  user_name text,
  subject_kind text,
  subject_id text
);
CREATE INDEX station_audit_subject ON station_audit (subject_id, seq);

-- The anchor in the car's own chain: {seq, sha256} of the last line of the audit excerpt the car
-- uploaded with the event (filled at ingest).
ALTER TABLE events ADD COLUMN car_audit_head jsonb;

-- Categories set at the station (the manifest's own category is events.category).
CREATE TABLE item_categories (
  item_kind text NOT NULL CHECK (item_kind IN ('event', 'bodycam-clip')),
  item_id text NOT NULL,
  category text NOT NULL,
  added_by text NOT NULL,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (item_kind, item_id, category)
);

CREATE TABLE legal_holds (
  id bigserial PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('incident', 'case')),
  target text NOT NULL,
  reason text NOT NULL,
  placed_by text NOT NULL,
  placed_at timestamptz NOT NULL,
  released_by text,
  released_at timestamptz,
  release_reason text
);
CREATE INDEX legal_holds_active ON legal_holds (scope, target) WHERE released_at IS NULL;

-- Retention state of an item: in the deletion queue, restored, deleted (with what was deleted).
CREATE TABLE custody_items (
  item_kind text NOT NULL CHECK (item_kind IN ('event', 'bodycam-clip')),
  item_id text NOT NULL,
  queued_at timestamptz,
  restored_until timestamptz,
  restored_by text,
  deleted_at timestamptz,
  deleted_by text,
  deleted_objects jsonb,
  PRIMARY KEY (item_kind, item_id)
);
CREATE INDEX custody_items_queued ON custody_items (queued_at) WHERE queued_at IS NOT NULL AND deleted_at IS NULL;

-- The custody config (categories, retention) the station last ran with: a new config is compared
-- against it so it never shortens the retention of an item under legal hold.
CREATE TABLE custody_settings (
  id integer PRIMARY KEY CHECK (id = 1),
  config jsonb NOT NULL,
  applied_at timestamptz NOT NULL
);

-- Share links: only the token's SHA-256 is stored. Checked on every use (revocation is immediate).
CREATE TABLE share_links (
  id text PRIMARY KEY,
  token_sha256 text NOT NULL UNIQUE,
  incident_id text NOT NULL,
  recipient text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by text
);
`,
};
