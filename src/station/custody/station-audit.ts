import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Clock, isoTime } from "../../core/clock.js";
import { formatEntry, GENESIS_PREV, lineHash, parseEntry } from "../../evidence/audit-entry.js";
import { AUDIT_FILE } from "../../evidence/audit-log.js";
import type { Db, Queryable } from "../db.js";
import { toNumber } from "../db.js";

/**
 * The station's chain of custody: a hash-chained, append-only audit log in exactly the car's format
 * (`src/evidence/audit-entry.ts`: `{seq, at, type, ...data, prev}`, prev = SHA-256 of the previous
 * line), so `camsync verify` checks it with the same code. The database holds the chain (N station
 * processes append under one advisory lock, in the same transaction as the action they record);
 * `{dataDir}/audit.jsonl` is a mirror each process brings up to date after it appends.
 */

/** fs-ext's flock(2) (native, no type declarations): the async form waits without blocking the loop. */
interface FsExt {
  flock(fd: number, flags: "ex", cb: (err: Error | null) => void): void;
}
const fsExt = createRequire(import.meta.url)("fs-ext") as FsExt;

/** Advisory lock key of the chain ("cust"). */
const CHAIN_LOCK = 0x63757374;

export type SubjectKind =
  | "event"
  | "bodycam-clip"
  | "incident"
  | "case"
  | "share"
  | "export"
  | "config"
  | "account";

export interface StationAuditData {
  /** Who did it (a user name, `share:{id}` for a share link, `station` for the retention worker). */
  user: string;
  subject?: { kind: SubjectKind; id: string };
  [key: string]: unknown;
}

export interface StationAuditRecord {
  seq: number;
  at: string;
  type: string;
  hash: string;
}

export class StationAuditLog {
  private mirrorError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Station data dir: the mirror `audit.jsonl` is kept there (omit for none). */
    private readonly dataDir?: string,
  ) {}

  /** Append inside the caller's transaction, so the action and its record commit together. */
  async appendIn(tx: Queryable, type: string, data: StationAuditData): Promise<StationAuditRecord> {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [CHAIN_LOCK]);
    const head = await tx.query("SELECT seq, hash FROM station_audit ORDER BY seq DESC LIMIT 1");
    const seq = head[0] ? toNumber(head[0].seq) + 1 : 1;
    const prev = head[0] ? String(head[0].hash) : GENESIS_PREV;
    const at = isoTime(this.clock.now());
    const { subject, ...rest } = data;
    const line = formatEntry(seq, at, type, subject ? { ...rest, subject } : rest, prev);
    const hash = lineHash(line);
    await tx.query(
      `INSERT INTO station_audit (seq, line, hash, type, at, user_name, subject_kind, subject_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [seq, line, hash, type, at, data.user, subject?.kind ?? null, subject?.id ?? null],
    );
    return { seq, at, type, hash };
  }

  /** Append in a transaction of its own, then bring the mirror file up to date. */
  async append(type: string, data: StationAuditData): Promise<StationAuditRecord> {
    const rec = await this.db.transaction((tx) => this.appendIn(tx, type, data));
    await this.syncMirror();
    return rec;
  }

  /** Every line of the chain from `afterSeq`, in order. */
  async lines(afterSeq = 0): Promise<string[]> {
    const rows = await this.db.query("SELECT line FROM station_audit WHERE seq > $1 ORDER BY seq", [
      afterSeq,
    ]);
    return rows.map((r) => String(r.line));
  }

  /** The entries about some subjects (items, their incident and case), in chain order: an export's extract. */
  async extract(subjectIds: readonly string[]): Promise<string[]> {
    if (subjectIds.length === 0) return [];
    const rows = await this.db.query(
      "SELECT line FROM station_audit WHERE subject_id = ANY($1) ORDER BY seq",
      [[...subjectIds]],
    );
    return rows.map((r) => String(r.line));
  }

  async entries(): Promise<{ seq: number; type: string; user: string | null; subjectId: string | null }[]> {
    const rows = await this.db.query(
      "SELECT seq, type, user_name, subject_id FROM station_audit ORDER BY seq",
    );
    return rows.map((r) => ({
      seq: toNumber(r.seq),
      type: String(r.type),
      user: r.user_name === null ? null : String(r.user_name),
      subjectId: r.subject_id === null ? null : String(r.subject_id),
    }));
  }

  /**
   * Append to `{dataDir}/audit.jsonl` every committed line it does not have yet (under flock, so
   * processes sharing a data dir write each line once, in chain order).
   */
  async syncMirror(): Promise<void> {
    try {
      await this.extendMirror();
      this.mirrorError = null;
    } catch (err) {
      // the entry is committed in the database; the mirror catches up on the next append
      this.mirrorError = (err as Error).message;
    }
  }

  /** Why the mirror file is behind the database (null when it is current). */
  mirrorProblem(): string | null {
    return this.mirrorError;
  }

  private async extendMirror(): Promise<void> {
    if (!this.dataDir) return;
    mkdirSync(this.dataDir, { recursive: true });
    const fd = openSync(join(this.dataDir, AUDIT_FILE), "a+", 0o640);
    try {
      await lockFile(fd);
      const last = lastLineIn(fd);
      if (last) {
        const rows = await this.db.query("SELECT hash FROM station_audit WHERE seq = $1", [last.seq]);
        if (rows[0]?.hash !== last.hash)
          throw new Error(
            `${AUDIT_FILE} line seq ${last.seq} is not the database's entry: the mirror belongs to another chain or was changed`,
          );
      }
      const missing = await this.lines(last?.seq ?? 0);
      if (missing.length > 0) {
        writeSync(fd, missing.map((l) => `${l}\n`).join(""));
        fsyncSync(fd);
      }
    } finally {
      closeSync(fd); // releases the flock
    }
  }
}

function lockFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsExt.flock(fd, "ex", (err) => (err ? reject(err) : resolve())));
}

/** The seq and hash of the last complete line of the mirror (null when empty). */
function lastLineIn(fd: number): { seq: number; hash: string } | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const len = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return null;
  const start = buf.lastIndexOf(0x0a, end - 1) + 1;
  const line = buf.subarray(start, end);
  const entry = parseEntry(line.toString("utf8"));
  if (!entry)
    throw new Error(`${AUDIT_FILE}: the last line is not an audit entry; the mirror is not extended`);
  return { seq: entry.seq, hash: lineHash(line) };
}
