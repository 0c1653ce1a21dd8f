import { z } from "zod";
import { EVENT_ID_PATTERN, utcStamp } from "../core/event-id.js";

/**
 * The body-cam clip manifest, contract v1 (docs/protocol.md, "Body-cam clip manifest"): what a body cam
 * (or its dock) writes beside a clip's files and uploads last, under `bodycams/{camId}/{clipId}/`.
 */
export const CLIP_MANIFEST_FILE = "manifest.json";

const identifier = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
const isoMs = z.iso.datetime({ offset: true });

export const clipFileSchema = z.object({
  file: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^/\\.][^/\\]*$/, "a plain file name"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  durationSeconds: z.number().min(0),
});

export const clipManifestSchema = z.looseObject({
  clipManifestVersion: z.literal(1),
  camId: identifier,
  clipId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  officer: z.string().max(64).nullable(),
  vehicleId: identifier.nullable(),
  eventId: z.string().regex(EVENT_ID_PATTERN).nullable(),
  startedAt: isoMs,
  endedAt: isoMs,
  clockOffsetMs: z.number().int().min(-86_400_000).max(86_400_000),
  clockSource: z.enum(["car", "ntp", "none"]),
  files: z.array(clipFileSchema).min(1).max(64),
  software: z.object({ name: z.string(), version: z.string() }).optional(),
});

export type ClipFile = z.infer<typeof clipFileSchema>;
export type ClipManifest = z.infer<typeof clipManifestSchema>;

/** `{UTC stamp}-{camId}-{4 hex}`, e.g. 20261126T142235Z-bc1-9a0c (sortable, unique per cam). */
export function makeClipId(epochMs: number, camId: string, suffix: string): string {
  return `${utcStamp(epochMs)}-${camId}-${suffix}`;
}

/** The object key prefix of a clip in the evidence bucket (below the bucket's configured prefix). */
export const clipKeyPrefix = (camId: string, clipId: string) => `bodycams/${camId}/${clipId}/`;
