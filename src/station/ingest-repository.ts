import { type Queryable, toNumber, toStringOrNull } from "./db.js";
import type { SubjectKind } from "./quarantine-repository.js";

/**
 * The ingest work queue and the listing cursor. Workers in any number of processes claim jobs with
 * `FOR UPDATE SKIP LOCKED`; a claim is a lease, so the job of a crashed worker is taken over once its
 * lease has expired.
 */
/** A job that failed this many times (not quarantined: the store or database kept failing) waits for a new manifest. */
export const MAX_ATTEMPTS = 5;

export type JobState = "pending" | "running" | "done" | "quarantined" | "failed";

export interface IngestJob {
  keyPrefix: string;
  kind: SubjectKind;
  manifestEtag: string;
  attempts: number;
}

export class IngestRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Queue a prefix whose manifest was seen with `etag`. Nothing changes when the job already knows
   * that etag (idempotent listing); a new etag (an amended manifest) makes it pending again.
   * Returns true when the job became pending.
   */
  async enqueue(keyPrefix: string, kind: SubjectKind, etag: string): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO ingest_jobs (key_prefix, kind, manifest_etag, state) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (key_prefix) DO UPDATE SET manifest_etag = EXCLUDED.manifest_etag, state = 'pending',
         attempts = 0, last_error = NULL, enqueued_at = now()
       WHERE ingest_jobs.manifest_etag IS DISTINCT FROM EXCLUDED.manifest_etag AND ingest_jobs.state <> 'running'
       RETURNING key_prefix`,
      [keyPrefix, kind, etag],
    );
    return rows.length > 0;
  }

  /** Claim up to `n` ready jobs (pending, failed with attempts left, or running with an expired lease). */
  async claim(
    worker: string,
    n: number,
    leaseSeconds: number,
    maxAttempts = MAX_ATTEMPTS,
  ): Promise<IngestJob[]> {
    const rows = await this.db.query(
      `UPDATE ingest_jobs j SET state = 'running', claimed_by = $1, attempts = j.attempts + 1,
         lease_until = now() + make_interval(secs => $3)
       WHERE j.key_prefix IN (
         SELECT key_prefix FROM ingest_jobs
         WHERE (state = 'pending' OR (state = 'failed' AND attempts < $4 AND lease_until < now())
                OR (state = 'running' AND lease_until < now()))
         ORDER BY enqueued_at, key_prefix
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING j.key_prefix, j.kind, j.manifest_etag, j.attempts`,
      [worker, n, leaseSeconds, maxAttempts],
    );
    return rows.map((r) => ({
      keyPrefix: String(r.key_prefix),
      kind: r.kind === "bodycam-clip" ? "bodycam-clip" : "event",
      manifestEtag: String(r.manifest_etag),
      attempts: toNumber(r.attempts),
    }));
  }

  /** Make every failed job pending again (an operator fixed the cause); returns how many. */
  async retryFailed(): Promise<number> {
    const rows = await this.db.query(
      "UPDATE ingest_jobs SET state = 'pending', attempts = 0, lease_until = NULL WHERE state = 'failed' RETURNING key_prefix",
    );
    return rows.length;
  }

  /** Extend a claim while a long job runs; false when another worker took it over. */
  async renew(worker: string, keyPrefix: string, leaseSeconds: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE ingest_jobs SET lease_until = now() + make_interval(secs => $3)
       WHERE key_prefix = $2 AND claimed_by = $1 AND state = 'running' RETURNING key_prefix`,
      [worker, keyPrefix, leaseSeconds],
    );
    return rows.length > 0;
  }

  /**
   * Finish a claimed job. A failed job is retried after `retrySeconds` (lease_until doubles as the
   * not-before time). Only the worker holding the claim can finish it.
   */
  async finish(
    worker: string,
    keyPrefix: string,
    state: Exclude<JobState, "pending" | "running">,
    error: string | null = null,
    retrySeconds = 30,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE ingest_jobs SET state = $3, last_error = $4, finished_at = now(),
         lease_until = CASE WHEN $3 = 'failed' THEN now() + make_interval(secs => $5) ELSE NULL END
       WHERE key_prefix = $2 AND claimed_by = $1 AND state = 'running' RETURNING key_prefix`,
      [worker, keyPrefix, state, error, retrySeconds],
    );
    return rows.length > 0;
  }

  async job(
    keyPrefix: string,
  ): Promise<{ state: JobState; attempts: number; lastError: string | null } | null> {
    const rows = await this.db.query(
      "SELECT state, attempts, last_error FROM ingest_jobs WHERE key_prefix = $1",
      [keyPrefix],
    );
    const r = rows[0];
    return r
      ? {
          state: String(r.state) as JobState,
          attempts: toNumber(r.attempts),
          lastError: toStringOrNull(r.last_error),
        }
      : null;
  }

  async counts(): Promise<Record<JobState, number>> {
    const out: Record<JobState, number> = { pending: 0, running: 0, done: 0, quarantined: 0, failed: 0 };
    for (const r of await this.db.query("SELECT state, count(*)::int AS n FROM ingest_jobs GROUP BY state")) {
      const s = String(r.state);
      if (s in out) out[s as JobState] = toNumber(r.n);
    }
    return out;
  }

  async cursor(name: string): Promise<{ startAfter: string; pass: number }> {
    const rows = await this.db.query("SELECT start_after, pass FROM ingest_cursors WHERE name = $1", [name]);
    const r = rows[0];
    return r ? { startAfter: String(r.start_after), pass: toNumber(r.pass) } : { startAfter: "", pass: 0 };
  }

  /** Move the cursor; `startAfter = ''` ends a pass (the next listing starts from the beginning). */
  async setCursor(name: string, startAfter: string, passDone: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO ingest_cursors (name, start_after, pass, pass_started_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (name) DO UPDATE SET start_after = EXCLUDED.start_after, updated_at = now(),
         pass = ingest_cursors.pass + $3,
         pass_started_at = CASE WHEN $3 = 1 THEN now() ELSE ingest_cursors.pass_started_at END`,
      [name, startAfter, passDone ? 1 : 0],
    );
  }
}
