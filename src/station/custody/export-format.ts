import { z } from "zod";

/**
 * The court export's layout (format `camsync-export/1`), shared by the writer and `camsync verify`.
 * Specified for people in docs/station.md ("Export format"): every member is listed with its SHA-256
 * in `SHA256SUMS` (sha256sum's format), and `SHA256SUMS.sig` is the station's Ed25519 signature of
 * those exact bytes; `station-key.pub.pem` is the public key it verifies with.
 */
export const EXPORT_FORMAT = "camsync-export/1";
export const SUMS_MEMBER = "SHA256SUMS";
export const SIGNATURE_MEMBER = "SHA256SUMS.sig";
export const PUBLIC_KEY_MEMBER = "station-key.pub.pem";
export const DESCRIPTION_MEMBER = "export.json";
export const SUMMARY_MEMBER = "summary.html";
export const STATION_AUDIT_MEMBER = "audit/station.jsonl";
export const CAR_ANCHORS_MEMBER = "audit/car-chain-heads.json";
/** Members that are not listed in SHA256SUMS (the list itself, its signature, the key). */
export const UNLISTED = new Set([SUMS_MEMBER, SIGNATURE_MEMBER, PUBLIC_KEY_MEMBER]);

/** Member names: relative, `/`-separated, no `..`, only characters that need no quoting in a shell. */
export const MEMBER_NAME = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/;

export const safeSegment = (s: string) => s.replace(/[^A-Za-z0-9._@+-]/g, "_").replace(/^\.+/, "_");

export interface SumLine {
  sha256: string;
  name: string;
}

export const formatSums = (lines: readonly SumLine[]) =>
  lines.map((l) => `${l.sha256}  ${l.name}\n`).join("");

/** Parse SHA256SUMS; every problem is named by its line. */
export function parseSums(text: string): { lines: SumLine[]; problems: string[] } {
  const lines: SumLine[] = [];
  const problems: string[] = [];
  const rows = text.split("\n");
  if (rows[rows.length - 1] === "") rows.pop();
  rows.forEach((row, i) => {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(row);
    if (!m || !MEMBER_NAME.test(m[2] as string)) {
      problems.push(`${SUMS_MEMBER} line ${i + 1}: not '<sha256>  <member>'`);
      return;
    }
    lines.push({ sha256: m[1] as string, name: m[2] as string });
  });
  return { lines, problems };
}

const iso = z.string().min(1);
const sha = z.string().regex(/^[0-9a-f]{64}$/);

export const exportedFileSchema = z.object({
  member: z.string(),
  file: z.string(),
  sha256: sha,
  bytes: z.number().int().nonnegative(),
  /** The SHA-256 the station indexed (verified at ingest) for this object; null when not indexed (the car's audit excerpt). */
  indexedSha256: sha.nullable(),
});

export const exportedItemSchema = z.object({
  kind: z.enum(["event", "bodycam-clip"]),
  id: z.string(),
  device: z.string(),
  officer: z.string().nullable(),
  startedAt: iso,
  endedAt: iso.nullable(),
  categories: z.array(z.string()),
  held: z.boolean(),
  quarantined: z.boolean(),
  manifest: z.object({ member: z.string(), sha256: sha }),
  carAuditHead: z.object({ seq: z.number().int(), sha256: sha }).nullable(),
  files: z.array(exportedFileSchema),
});

export const exportClipSchema = z.object({
  member: z.string(),
  sha256: sha,
  bytes: z.number().int().nonnegative(),
  source: z.object({ itemId: z.string(), file: z.string(), sha256: sha }),
  requested: z.object({ fromSeconds: z.number(), toSeconds: z.number() }),
  method: z.string(),
});

export const exportDescriptionSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  exportId: z.string(),
  createdAt: iso,
  exportedBy: z.string(),
  station: z.object({ keyFingerprint: sha }),
  scope: z.union([
    z.object({ kind: z.literal("incident"), id: z.string() }),
    z.object({ kind: z.literal("case"), caseNumber: z.string() }),
  ]),
  /** `held` (an item is under legal hold), `quarantined` (an item failed verification at ingest). */
  marks: z.array(z.enum(["held", "quarantined"])),
  items: z.array(exportedItemSchema),
  clip: exportClipSchema.nullable(),
  stationAudit: z.object({ member: z.string(), entries: z.number().int() }),
});

export type ExportDescription = z.infer<typeof exportDescriptionSchema>;
export type ExportedItem = z.infer<typeof exportedItemSchema>;
export type ExportedFile = z.infer<typeof exportedFileSchema>;
export type ExportClip = z.infer<typeof exportClipSchema>;
