import { z } from "zod";
import { isEventId } from "../core/event-id.js";
import { manifestFileSchema } from "../evidence/manifest-file.js";
import { sha256Hex } from "../storage/sha256.js";

/**
 * Pure checks of what a car or a body cam uploaded, before anything is hashed or indexed: the key's
 * shape, the manifest's size, types and identities, and every file name. A failure names a reason
 * (a short code) and a readable detail; the caller quarantines it.
 */
export type QuarantineReason =
  | "bad-key"
  | "manifest-too-large"
  | "manifest-malformed"
  | "identity-mismatch"
  | "unsafe-file-name"
  | "outside-prefix"
  | "missing-object"
  | "hash-mismatch"
  | "audit-chain";

export class Quarantine extends Error {
  override name = "Quarantine";
  /** The SHA-256 of the manifest concerned, once known. */
  manifestSha256: string | undefined;
  constructor(
    readonly reason: QuarantineReason,
    message: string,
  ) {
    super(message);
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const CLIP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const BODYCAM_ROOT = "bodycams";

export type ParsedKey =
  | { kind: "event"; vehicleId: string; eventId: string }
  | { kind: "bodycam-clip"; camId: string; clipId: string };

/** `{prefix}{vehicleId}/{eventId}/` or `{prefix}bodycams/{camId}/{clipId}/`; throws Quarantine otherwise. */
export function parseKeyPrefix(bucketPrefix: string, keyPrefix: string): ParsedKey {
  if (!keyPrefix.startsWith(bucketPrefix) || !keyPrefix.endsWith("/"))
    throw new Quarantine("bad-key", `${keyPrefix}: not under the configured prefix '${bucketPrefix}'`);
  const parts = keyPrefix.slice(bucketPrefix.length, -1).split("/");
  if (parts[0] === BODYCAM_ROOT) {
    const [, camId, clipId, ...rest] = parts;
    if (rest.length > 0 || !camId || !clipId || !ID.test(camId) || !CLIP_ID.test(clipId))
      throw new Quarantine("bad-key", `${keyPrefix}: expected ${bucketPrefix}bodycams/{camId}/{clipId}/`);
    return { kind: "bodycam-clip", camId, clipId };
  }
  const [vehicleId, eventId, ...rest] = parts;
  if (rest.length > 0 || !vehicleId || !eventId || !ID.test(vehicleId) || !isEventId(eventId))
    throw new Quarantine(
      "bad-key",
      `${keyPrefix}: expected ${bucketPrefix}{vehicleId}/{eventId}/ with an event id`,
    );
  return { kind: "event", vehicleId, eventId };
}

/** A file name listed in a manifest must name an object directly under the prefix. */
export function checkFileName(name: string): void {
  const bad =
    name.length === 0 ||
    name.length > 255 ||
    name.includes("/") ||
    name.includes("\\") ||
    name.startsWith(".") ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f\u007f]/.test(name);
  if (bad)
    throw new Quarantine(
      "unsafe-file-name",
      `file name ${JSON.stringify(name.slice(0, 300))} is not a plain file name (path traversal or control characters)`,
    );
}

function firstIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "invalid";
  return `${issue.path.join(".") || "manifest"}: ${issue.message}`;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new Quarantine("manifest-malformed", "manifest is not valid JSON");
  }
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO-8601 date-time");

/** What the station needs from a car manifest, on top of the evidence schema (types and sizes bounded). */
const stationEventSchema = z.looseObject({
  eventId: z.string().max(100),
  vehicle: z.looseObject({
    id: z.string().max(32),
    name: z.string().max(100).optional(),
    agency: z.string().max(100).optional(),
  }),
  officer: z.string().max(64).nullable().optional(),
  startedAt: isoDate,
  endedAt: isoDate.nullable().optional(),
  origin: z.looseObject({ kind: z.string().max(32), id: z.string().max(64) }),
  cameras: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(64),
        files: z
          .array(
            z.looseObject({
              durationSeconds: z.number().min(0).optional(),
              part: z.number().int().optional(),
            }),
          )
          .max(1000),
      }),
    )
    .min(1)
    .max(64),
  bodycams: z
    .array(z.looseObject({ id: z.string().max(32) }))
    .max(64)
    .default([]),
  preEvent: z.looseObject({ coveredSeconds: z.number().min(0).max(3600) }).optional(),
  category: z.string().max(64).optional(),
  notes: z.array(z.string().max(10_000)).max(1000).optional(),
  clockOffsetMs: z.number().int().min(-86_400_000).max(86_400_000).optional(),
});

/** What the index records about a car event, read from its manifest. */
export interface EventFacts {
  vehicleId: string;
  vehicleName: string | null;
  agency: string | null;
  eventId: string;
  officer: string | null;
  startedAt: string;
  endedAt: string | null;
  triggerKind: string;
  triggerId: string;
  category: string | null;
  critical: boolean;
  notes: string;
  clockOffsetMs: number;
  preEventSeconds: number;
}

export interface CheckedEvent extends EventFacts {
  manifestSha256: string;
  json: Record<string, unknown>;
  bodycamIds: string[];
  files: {
    camera: string;
    file: string;
    sha256: string;
    bytes: number;
    durationSeconds: number;
    part: number;
  }[];
}

/** Check a car event's manifest against its key; throws Quarantine with the reason. */
export function checkEventManifest(
  bytes: Buffer,
  key: { vehicleId: string; eventId: string; keyPrefix: string; bucket: string },
  maxBytes: number,
): CheckedEvent {
  if (bytes.length > maxBytes)
    throw new Quarantine("manifest-too-large", `manifest is ${bytes.length} bytes (limit ${maxBytes})`);
  const json = parseJson(bytes);
  const base = manifestFileSchema.safeParse(json);
  if (!base.success)
    throw new Quarantine("manifest-malformed", `malformed manifest: ${firstIssue(base.error)}`);
  const extra = stationEventSchema.safeParse(json);
  if (!extra.success)
    throw new Quarantine("manifest-malformed", `malformed manifest: ${firstIssue(extra.error)}`);
  const m = base.data;
  const s = extra.data;
  if (s.eventId !== key.eventId)
    throw new Quarantine(
      "identity-mismatch",
      `manifest is for event '${s.eventId}', the key says '${key.eventId}'`,
    );
  if (s.vehicle.id !== key.vehicleId)
    throw new Quarantine(
      "identity-mismatch",
      `manifest is for vehicle '${s.vehicle.id}', but it is under '${key.vehicleId}/'`,
    );
  if (m.offload?.key !== undefined && m.offload.key !== key.keyPrefix)
    throw new Quarantine(
      "outside-prefix",
      `manifest says its objects are at '${m.offload.key}', not '${key.keyPrefix}'`,
    );
  if (m.offload?.bucket !== undefined && m.offload.bucket !== key.bucket)
    throw new Quarantine("outside-prefix", `manifest says bucket '${m.offload.bucket}', not '${key.bucket}'`);
  const files: CheckedEvent["files"] = [];
  const seen = new Set<string>();
  for (const [ci, camera] of m.cameras.entries()) {
    for (const [fi, f] of camera.files.entries()) {
      checkFileName(f.file);
      if (seen.has(f.file)) throw new Quarantine("manifest-malformed", `file ${f.file} is listed twice`);
      seen.add(f.file);
      const more = s.cameras[ci]?.files[fi];
      files.push({
        camera: camera.name,
        file: f.file,
        sha256: f.sha256,
        bytes: f.bytes,
        durationSeconds: more?.durationSeconds ?? 0,
        part: more?.part ?? 1,
      });
    }
  }
  return {
    manifestSha256: sha256Hex(bytes),
    json: json as Record<string, unknown>,
    vehicleId: s.vehicle.id,
    vehicleName: s.vehicle.name ?? null,
    agency: s.vehicle.agency ?? null,
    eventId: s.eventId,
    officer: s.officer ?? null,
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: s.endedAt ? new Date(s.endedAt).toISOString() : null,
    triggerKind: s.origin.kind,
    triggerId: s.origin.id,
    category: s.category ?? null,
    critical: m.critical === true,
    notes: (s.notes ?? []).join("\n"),
    clockOffsetMs: s.clockOffsetMs ?? 0,
    preEventSeconds: s.preEvent?.coveredSeconds ?? 0,
    bodycamIds: s.bodycams.map((b) => b.id),
    files,
  };
}

/** The body-cam clip manifest, contract v1 (docs/protocol.md, "Uploads to the station"). */
export const clipManifestSchema = z.looseObject({
  clipManifestVersion: z.literal(1),
  camId: z.string().regex(ID, "expected an identifier"),
  clipId: z.string().regex(CLIP_ID, "expected an identifier of up to 64 characters"),
  officer: z.string().max(64).nullable().optional(),
  vehicleId: z.string().regex(ID, "expected an identifier").nullable().optional(),
  eventId: z.string().refine(isEventId, "expected a camsync event id").nullable().optional(),
  startedAt: isoDate,
  endedAt: isoDate,
  clockOffsetMs: z.number().int().min(-86_400_000).max(86_400_000),
  clockSource: z.enum(["car", "ntp", "none"]).optional(),
  files: z
    .array(
      z.looseObject({
        file: z.string(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits"),
        bytes: z.number().int().min(0),
        durationSeconds: z.number().min(0).default(0),
      }),
    )
    .min(1)
    .max(64),
});

export type ClipManifest = z.output<typeof clipManifestSchema>;

export interface CheckedClip {
  manifestSha256: string;
  json: Record<string, unknown>;
  manifest: ClipManifest;
  alignedStart: string;
  alignedEnd: string;
}

/** Check a body-cam clip manifest against its key; throws Quarantine with the reason. */
export function checkClipManifest(
  bytes: Buffer,
  key: { camId: string; clipId: string },
  maxBytes: number,
): CheckedClip {
  if (bytes.length > maxBytes)
    throw new Quarantine("manifest-too-large", `manifest is ${bytes.length} bytes (limit ${maxBytes})`);
  const json = parseJson(bytes);
  const parsed = clipManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new Quarantine("manifest-malformed", `malformed clip manifest: ${firstIssue(parsed.error)}`);
  const m = parsed.data;
  if (m.camId !== key.camId)
    throw new Quarantine(
      "identity-mismatch",
      `clip manifest is for cam '${m.camId}', but it is under '${key.camId}/'`,
    );
  if (m.clipId !== key.clipId)
    throw new Quarantine(
      "identity-mismatch",
      `clip manifest is for clip '${m.clipId}', the key says '${key.clipId}'`,
    );
  const seen = new Set<string>();
  for (const f of m.files) {
    checkFileName(f.file);
    if (f.file === "manifest.json")
      throw new Quarantine("unsafe-file-name", "a clip may not list manifest.json as a file");
    if (seen.has(f.file)) throw new Quarantine("manifest-malformed", `file ${f.file} is listed twice`);
    seen.add(f.file);
  }
  const start = Date.parse(m.startedAt);
  const end = Date.parse(m.endedAt);
  if (end < start) throw new Quarantine("manifest-malformed", "clip ends before it starts");
  return {
    manifestSha256: sha256Hex(bytes),
    json: json as Record<string, unknown>,
    manifest: m,
    alignedStart: new Date(start - m.clockOffsetMs).toISOString(),
    alignedEnd: new Date(end - m.clockOffsetMs).toISOString(),
  };
}
