import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { isTempFileName } from "../storage/atomic-file.js";
import { sha256File } from "../storage/sha256.js";
import { AMENDMENT_TYPE, type AuditEntry, checkChain, isManifestRecord } from "./audit-entry.js";
import { AUDIT_FILE } from "./audit-log.js";
import { checkFootageWithinEnd, missingManifest } from "./event-completeness.js";
import { changedFields, fieldHashes, loadManifest, MANIFEST_FILE, ManifestError } from "./manifest-file.js";
import type { Finding, VerifyReport } from "./verify-report.js";

export type { Finding, VerifyReport } from "./verify-report.js";

/**
 * `camsync verify`: files against manifest hashes, manifests against the audit log, the chain intact.
 * Every finding names what changed (a file, a manifest field, an audit line). Errors fail verification;
 * warnings (an interrupted write the daemon recorded, an extra file, an event still being recorded) do not.
 */
/** The entries of the audit log that concern manifests, per event, in order. */
interface ManifestRecord {
  line: number;
  entry: AuditEntry;
}

interface AuditIndex {
  auditPath: string;
  manifests: Map<string, ManifestRecord[]>;
  finalized: Map<string, number>;
  deleted: Set<string>;
  /** The first `event-end` decision per event: epoch ms and audit line. */
  ends: Map<string, { at: number; line: number }>;
  entries: number;
}

/**
 * The log's bytes. A running daemon may be appending right now: a last line without its newline is
 * read again a moment later before it is called truncated.
 */
async function readLog(path: string): Promise<Buffer> {
  let data = readFileSync(path);
  for (let i = 0; i < 3 && data.length > 0 && data[data.length - 1] !== 0x0a; i++) {
    await new Promise((r) => setTimeout(r, 50));
    data = readFileSync(path);
  }
  return data;
}

async function readAudit(dataDir: string, findings: Finding[]): Promise<AuditIndex | null> {
  const auditPath = join(dataDir, AUDIT_FILE);
  if (!existsSync(auditPath)) return null;
  const chain = checkChain(await readLog(auditPath));
  for (const f of chain.findings) {
    const acknowledged = f.kind === "torn" && f.acknowledged;
    findings.push({
      severity: acknowledged ? "warning" : "error",
      subject: `${AUDIT_FILE} line ${f.line}`,
      message: f.detail,
    });
  }
  const index: AuditIndex = {
    auditPath,
    manifests: new Map(),
    finalized: new Map(),
    deleted: new Set(),
    ends: new Map(),
    entries: 0,
  };
  for (const { line, entry } of chain.entries) {
    index.entries += 1;
    const eventId = entry.eventId;
    if (typeof eventId !== "string") continue;
    if (entry.type === "event-deleted") index.deleted.add(eventId);
    if (entry.type === "decision" && entry.decision === "event-end" && !index.ends.has(eventId)) {
      const at = Date.parse(String(entry.decidedAt));
      if (Number.isFinite(at)) index.ends.set(eventId, { at, line });
    }
    // the records a manifest is checked against: its finalization and its amendments
    if (!isManifestRecord(entry.type)) continue;
    if (typeof entry.manifestSha256 !== "string") continue;
    if (entry.type === "event-finalized" && !index.finalized.has(eventId)) index.finalized.set(eventId, line);
    const list = index.manifests.get(eventId) ?? [];
    list.push({ line, entry });
    index.manifests.set(eventId, list);
  }
  return index;
}

const fieldsOf = (e: AuditEntry): Record<string, string> =>
  typeof e.fields === "object" && e.fields !== null ? (e.fields as Record<string, string>) : {};

function checkManifestAgainstAudit(
  eventId: string,
  json: Record<string, unknown>,
  sha256: string,
  audit: AuditIndex,
  subject: string,
  findings: Finding[],
): void {
  const records = audit.manifests.get(eventId) ?? [];
  const first = records[0];
  if (!first) {
    findings.push({
      severity: "error",
      subject,
      message: `no audit record of this manifest (event ${eventId} was never recorded as finalized)`,
    });
    return;
  }
  if (first.entry.type === "event-finalized" && first.entry.adopted === true) {
    findings.push({
      severity: "warning",
      subject: `${AUDIT_FILE} line ${first.line}`,
      message: `event ${eventId} was recorded when found (adopted), not when it was finalized`,
    });
  }
  if (first.entry.type !== "event-finalized") {
    findings.push({
      severity: "error",
      subject: `${AUDIT_FILE} line ${first.line}`,
      message: `event ${eventId} is amended but its finalization was never recorded`,
    });
  }
  for (let i = 1; i < records.length; i++) {
    const before = records[i - 1] as ManifestRecord;
    const rec = records[i] as ManifestRecord;
    if (rec.entry.type !== AMENDMENT_TYPE) continue;
    if (rec.entry.previousManifestSha256 !== before.entry.manifestSha256) {
      findings.push({
        severity: "error",
        subject: `${AUDIT_FILE} line ${rec.line}`,
        message: `manifest of ${eventId} changed outside the recorded amendments between lines ${before.line} and ${rec.line}`,
      });
    }
    const declared =
      typeof rec.entry.changes === "object" && rec.entry.changes !== null
        ? Object.keys(rec.entry.changes)
        : [];
    const undeclared = changedFields(fieldsOf(before.entry), fieldsOf(rec.entry)).filter(
      (f) => !declared.includes(f),
    );
    if (undeclared.length > 0) {
      findings.push({
        severity: "error",
        subject: `${AUDIT_FILE} line ${rec.line}`,
        message: `amendment of ${eventId} changed undeclared manifest field(s): ${undeclared.join(", ")}`,
      });
    }
  }
  const latest = records[records.length - 1] as ManifestRecord;
  if (latest.entry.manifestSha256 === sha256) return;
  const changed = changedFields(fieldsOf(latest.entry), fieldHashes(json));
  if (changed.length === 0) {
    findings.push({
      severity: "error",
      subject,
      message: `manifest bytes differ from audit line ${latest.line} (formatting or whitespace edited)`,
    });
  }
  for (const field of changed) {
    findings.push({
      severity: "error",
      subject: `${subject} field ${field}`,
      message: `changed since audit line ${latest.line} (not a recorded amendment)`,
    });
  }
}

/** Files of an event directory that are not evidence: the recorder's journal (dot-files are skipped too). */
const NOT_EVIDENCE = ["journal.jsonl"];

/**
 * Relative paths of the files under an event directory. Dot-files are skipped: the daemon's bookkeeping
 * (`.offload.json`) and every in-progress temp file (`isTempFileName`: always a dot-name).
 */
function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith(".") || isTempFileName(entry.name)) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** A manifest's file name must stay inside the event directory: relative, no `..`, no backslash. */
const insideEvent = (file: string) =>
  !isAbsolute(file) && !file.includes("\\") && !file.split("/").some((p) => p === ".." || p === "");

/** One listed file (video or segment): present, with the recorded size and SHA-256. */
async function checkFile(
  eventDir: string,
  rec: { file: string; sha256: string; bytes: number },
  manifestPath: string,
  findings: Finding[],
): Promise<void> {
  if (!insideEvent(rec.file)) {
    findings.push({
      severity: "error",
      subject: `${manifestPath} field cameras`,
      message: `file name '${rec.file}' leaves the event directory`,
    });
    return;
  }
  const path = join(eventDir, rec.file);
  if (!existsSync(path)) {
    findings.push({ severity: "error", subject: path, message: "missing (listed in the manifest)" });
    return;
  }
  const actual = await sha256File(path);
  if (actual.sha256 !== rec.sha256 || actual.bytes !== rec.bytes) {
    findings.push({
      severity: "error",
      subject: path,
      message:
        actual.bytes !== rec.bytes
          ? `size ${actual.bytes} bytes, manifest says ${rec.bytes}; SHA-256 ${actual.sha256} differs from ${rec.sha256}`
          : `SHA-256 ${actual.sha256} differs from the manifest's ${rec.sha256}`,
    });
  }
}

interface EventCheck {
  files: number;
  eventId: string | null;
}

async function verifyEventDir(
  eventDir: string,
  audit: AuditIndex | null,
  findings: Finding[],
): Promise<EventCheck> {
  const manifestPath = join(eventDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    findings.push(missingManifest(eventDir, audit?.ends.get(basename(resolve(eventDir)))?.at ?? null));
    return { files: 0, eventId: null };
  }
  let loaded: ReturnType<typeof loadManifest>;
  try {
    loaded = loadManifest(eventDir);
  } catch (err) {
    const message = err instanceof ManifestError ? err.message.replace(`${manifestPath}: `, "") : String(err);
    findings.push({ severity: "error", subject: manifestPath, message });
    return { files: 0, eventId: null };
  }
  const { manifest } = loaded;
  if (manifest.eventId !== basename(resolve(eventDir))) {
    findings.push({
      severity: "error",
      subject: `${manifestPath} field eventId`,
      message: `is ${manifest.eventId}, not the directory's name`,
    });
  }
  const listed = new Set([MANIFEST_FILE, ...NOT_EVIDENCE]);
  let files = 0;
  for (const camera of manifest.cameras) {
    for (const rec of [...camera.files, ...camera.segments]) {
      files += 1;
      listed.add(rec.file);
      await checkFile(eventDir, rec, manifestPath, findings);
    }
  }
  for (const name of filesUnder(eventDir)) {
    if (!listed.has(name)) {
      findings.push({
        severity: "warning",
        subject: join(eventDir, name),
        message: "not listed in the manifest",
      });
    }
  }
  checkFootageWithinEnd(manifest, audit?.ends.get(manifest.eventId), manifestPath, findings);
  if (audit)
    checkManifestAgainstAudit(manifest.eventId, loaded.json, loaded.sha256, audit, manifestPath, findings);
  return { files, eventId: manifest.eventId };
}

/** The data dir an event dir belongs to (`{dataDir}/events/{eventId}`), when it has an audit log. */
function dataDirOf(eventDir: string): string | null {
  const parent = dirname(resolve(eventDir));
  if (basename(parent) !== "events") return null;
  const dataDir = dirname(parent);
  return existsSync(join(dataDir, AUDIT_FILE)) ? dataDir : null;
}

function finish(findings: Finding[], events: number, files: number, auditEntries: number): VerifyReport {
  return { findings, events, files, auditEntries, ok: !findings.some((f) => f.severity === "error") };
}

/** Verify one event directory (and, when it sits in a data dir, against that data dir's audit log). */
export async function verifyEvent(eventDir: string): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const dataDir = dataDirOf(eventDir);
  const audit = dataDir ? await readAudit(dataDir, findings) : null;
  if (!audit) {
    findings.push({
      severity: "warning",
      subject: eventDir,
      message: "no audit log beside this event: manifest not checked against it",
    });
  }
  const check = await verifyEventDir(eventDir, audit, findings);
  return finish(findings, check.eventId ? 1 : 0, check.files, audit?.entries ?? 0);
}

/** Verify a whole data dir: the audit chain, every event, and every recorded event still present. */
export async function verifyDataDir(dataDir: string): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const audit = await readAudit(dataDir, findings);
  if (!audit) findings.push({ severity: "error", subject: join(dataDir, AUDIT_FILE), message: "missing" });
  const eventsDir = join(dataDir, "events");
  const present = new Set<string>();
  let events = 0;
  let files = 0;
  if (existsSync(eventsDir)) {
    for (const name of readdirSync(eventsDir).sort()) {
      const dir = join(eventsDir, name);
      if (name.startsWith(".") || !statSync(dir).isDirectory()) continue;
      present.add(name);
      const check = await verifyEventDir(dir, audit, findings);
      if (check.eventId) events += 1;
      files += check.files;
    }
  }
  for (const [eventId, line] of audit?.finalized ?? []) {
    if (present.has(eventId) || audit?.deleted.has(eventId)) continue;
    findings.push({
      severity: "error",
      subject: join(eventsDir, eventId),
      message: `missing: finalized at ${AUDIT_FILE} line ${line} and never recorded as deleted`,
    });
  }
  return finish(findings, events, files, audit?.entries ?? 0);
}

/** EVENT_DIR or DATA_DIR: a directory with a manifest is an event. */
export async function verifyPath(path: string): Promise<VerifyReport> {
  return existsSync(join(path, MANIFEST_FILE)) ? verifyEvent(path) : verifyDataDir(path);
}
