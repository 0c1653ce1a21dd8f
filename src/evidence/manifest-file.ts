import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { sha256Hex } from "../storage/sha256.js";

/**
 * Reading `manifest.json` from disk. The recorder writes it (type `EventManifest`); evidence code parses
 * only what it relies on and keeps every other key untouched, so an amendment rewrites the manifest
 * without dropping fields it does not know.
 */
export const MANIFEST_FILE = "manifest.json";

const fileRecordSchema = z.looseObject({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});

const offloadSchema = z.looseObject({
  state: z.enum(["pending", "uploaded", "verified", "failed"]),
  bucket: z.string().optional(),
  key: z.string().optional(),
  verifiedAt: z.string().optional(),
  method: z.enum(["checksum", "read-back"]).optional(),
});

export const manifestFileSchema = z.looseObject({
  manifestVersion: z.literal(1),
  eventId: z.string().min(1),
  officer: z.string().nullable().optional(),
  startedAt: z.string(),
  endedAt: z.string().nullable().optional(),
  origin: z.looseObject({ kind: z.string(), id: z.string() }).optional(),
  /** Decisions that touched the event (`verify` checks the footage against its first `event-end`). */
  timeline: z.array(z.looseObject({ at: z.string(), type: z.string() })).default([]),
  cameras: z.array(
    z.looseObject({
      name: z.string(),
      files: z.array(fileRecordSchema),
      /** The claimed ring segments kept in the event directory (`segments/{camera}/…`). */
      segments: z.array(fileRecordSchema.extend({ startedAt: z.string().optional() })).default([]),
      gaps: z
        .array(z.looseObject({ from: z.string(), to: z.string(), seconds: z.number(), cause: z.string() }))
        .default([]),
    }),
  ),
  bodycams: z
    .array(
      z.looseObject({
        id: z.string(),
        commandedAt: z.string().nullable(),
        confirmedAt: z.string().nullable(),
        latencyMs: z.number().nullable(),
      }),
    )
    .default([]),
  category: z.string().optional(),
  notes: z.array(z.string()).optional(),
  critical: z.boolean().optional(),
  offload: offloadSchema.optional(),
});

export type ManifestFile = z.infer<typeof manifestFileSchema>;

export interface LoadedManifest {
  manifest: ManifestFile;
  /** The manifest as JSON, every key kept (what an amendment rewrites). */
  json: Record<string, unknown>;
  sha256: string;
  bytes: Buffer;
}

export class ManifestError extends Error {
  override name = "ManifestError";
}

/** Read and parse `{eventDir}/manifest.json`; throws ManifestError naming what is wrong. */
export function loadManifest(eventDir: string): LoadedManifest {
  const path = join(eventDir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ManifestError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseManifestBytes(bytes, path);
}

export function parseManifestBytes(bytes: Buffer, path: string): LoadedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ManifestError(`${path}: not valid JSON`);
  }
  const parsed = manifestFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(
      `${path}: ${issue ? `${issue.path.join(".") || "manifest"}: ${issue.message}` : "invalid"}`,
    );
  }
  return { manifest: parsed.data, json: json as Record<string, unknown>, sha256: sha256Hex(bytes), bytes };
}

/** The exact bytes a manifest is written as. */
export function serializeManifest(json: Record<string, unknown>): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * A short hash per top-level field, recorded in the audit log with each manifest hash so `verify` can
 * name which field changed (the full manifest SHA-256 is the proof; these only locate the change).
 */
export function fieldHashes(json: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(json).sort())
    out[key] = sha256Hex(JSON.stringify(json[key]) ?? "").slice(0, 16);
  return out;
}

/** Top-level fields whose hashes differ between two `fieldHashes` maps. */
export function changedFields(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
