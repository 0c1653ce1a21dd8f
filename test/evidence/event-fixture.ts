import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEventId } from "../../src/core/event-id.js";
import { amendManifest } from "../../src/evidence/amendment.js";
import type { AuditAppender } from "../../src/evidence/audit-log.js";
import type { EventManifest } from "../../src/evidence/manifest.js";
import { serializeManifest } from "../../src/evidence/manifest-file.js";
import { readUploadState, writeUploadState } from "../../src/evidence/upload-state.js";
import { sha256Hex } from "../../src/storage/sha256.js";

/** A finished event on disk, as the recorder leaves it: small real files and a manifest with their hashes. */
export interface FixtureEvent {
  eventId: string;
  dir: string;
  manifestSha256: string;
  manifest: EventManifest;
}

export interface FixtureOptions {
  startedAt: number;
  /** bytes per camera file */
  cameras?: { name: string; bytes: number }[];
  critical?: boolean;
  category?: string;
  bodycams?: EventManifest["bodycams"];
  gaps?: EventManifest["cameras"][number]["gaps"];
  suffix?: string;
}

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `camsync-${label}-`));
}

export function makeEvent(dataDir: string, opts: FixtureOptions): FixtureEvent {
  const eventId = makeEventId(opts.startedAt, "unit12", opts.suffix);
  const dir = join(dataDir, "events", eventId);
  mkdirSync(dir, { recursive: true });
  const cameras = (opts.cameras ?? [{ name: "front", bytes: 4096 }]).map((c) => {
    const data = randomBytes(c.bytes);
    const file = `${c.name}.mp4`;
    writeFileSync(join(dir, file), data);
    // the claimed ring segments the recorder keeps beside the MP4 (`segments/{camera}/…`)
    mkdirSync(join(dir, "segments", c.name), { recursive: true });
    const segments = [0, 1].map((i) => {
      const seg = randomBytes(512);
      const segFile = `segments/${c.name}/20261126T142203000-00000${i}.ts`;
      writeFileSync(join(dir, segFile), seg);
      const at = new Date(opts.startedAt - 30_000 + i * 1000).toISOString();
      return { file: segFile, startedAt: at, durationSeconds: 1, sha256: sha256Hex(seg), bytes: seg.length };
    });
    return {
      name: c.name,
      files: [{ file, sha256: sha256Hex(data), bytes: data.length, durationSeconds: 60, part: 1 }],
      segments,
      gaps: opts.gaps ?? [],
    };
  });
  const startedAt = new Date(opts.startedAt).toISOString();
  const manifest: EventManifest = {
    manifestVersion: 1,
    eventId,
    vehicle: { id: "unit12" },
    officer: "B1234",
    software: { name: "camsync", version: "0.1.0" },
    startedAt,
    endedAt: new Date(opts.startedAt + 60_000).toISOString(),
    origin: { kind: "lightbar", id: "lightbar" },
    timeline: [
      {
        at: startedAt,
        type: "event-start",
        origin: { kind: "lightbar", id: "lightbar" },
        reason: "lights on",
      },
    ],
    preEvent: { requestedSeconds: 30, coveredSeconds: 30, audio: "muted" },
    postRollSeconds: 30,
    cameras,
    bodycams: opts.bodycams ?? [],
    gpsTrack: [],
    signals: [],
    ...(opts.category ? { category: opts.category } : {}),
    ...(opts.critical !== undefined ? { critical: opts.critical } : {}),
  };
  writeFileSync(join(dir, "journal.jsonl"), `${JSON.stringify({ t: "open", eventId })}\n`);
  const text = serializeManifest(manifest as unknown as Record<string, unknown>);
  writeFileSync(join(dir, "manifest.json"), text);
  return { eventId, dir, manifestSha256: sha256Hex(text), manifest };
}

/**
 * What a completed offload leaves behind, without a server: the manifest amended with
 * `offload: verified` (recorded in the audit log) and the upload state saying the server holds it.
 */
export function markUploaded(
  audit: AuditAppender,
  e: { eventId: string; dir: string },
  verifiedAt: number,
  method: "checksum" | "read-back" = "read-back",
  bucket = "evidence",
): void {
  const key = `unit12/${e.eventId}/`;
  const r = amendManifest(audit, e.dir, "offload", {
    offload: { state: "verified", bucket, key, verifiedAt: new Date(verifiedAt).toISOString(), method },
  });
  const bytes = readFileSync(join(e.dir, "manifest.json")).length;
  const state = readUploadState(e.dir);
  state.objects["manifest.json"] = {
    key: `${key}manifest.json`,
    sha256: r.manifestSha256,
    bytes,
    partSize: 16 * 1024 * 1024,
    uploadId: null,
    parts: [],
    completed: true,
    verified: { method, at: new Date(verifiedAt).toISOString() },
  };
  writeUploadState(e.dir, state);
}
