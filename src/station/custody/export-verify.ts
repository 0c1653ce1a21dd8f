import { createHash, createPublicKey } from "node:crypto";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { z } from "zod";
import { lineHash, parseEntry } from "../../evidence/audit-entry.js";
import type { Finding } from "../../evidence/verify.js";
import {
  DESCRIPTION_MEMBER,
  type ExportDescription,
  exportDescriptionSchema,
  PUBLIC_KEY_MEMBER,
  parseSums,
  SIGNATURE_MEMBER,
  STATION_AUDIT_MEMBER,
  SUMS_MEMBER,
  UNLISTED,
} from "./export-format.js";
import { keyFingerprint, verifySignature } from "./station-key.js";

/**
 * `camsync verify EXPORT.zip`, offline: the signature over SHA256SUMS, every member against it (each
 * changed member named), nothing unlisted, each video against its recording's manifest, the clip
 * and the station audit extract. Needs nothing but the ZIP (and, optionally, the published key).
 */
export interface ExportVerifyReport {
  findings: Finding[];
  members: number;
  items: number;
  keyFingerprint: string | null;
  ok: boolean;
}

/** Small members kept in memory for the checks; everything else is only hashed. */
const KEEP = new Set([
  SUMS_MEMBER,
  SIGNATURE_MEMBER,
  PUBLIC_KEY_MEMBER,
  DESCRIPTION_MEMBER,
  STATION_AUDIT_MEMBER,
]);
const isManifest = (name: string) => name.endsWith("/manifest.json");

interface Member {
  sha256: string;
  bytes: number;
  data?: Buffer;
}

async function hashStream(stream: Readable, keep: boolean): Promise<Member> {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.length;
    if (keep) chunks.push(b);
  }
  return { sha256: hash.digest("hex"), bytes, ...(keep ? { data: Buffer.concat(chunks) } : {}) };
}

/** Read every member (hashing as it streams); a member that cannot be read is a finding. */
function readMembers(path: string, findings: Finding[]): Promise<Map<string, Member>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error("cannot open"));
      const members = new Map<string, Member>();
      zip.on("error", reject);
      zip.on("end", () => resolve(members));
      zip.on("entry", (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (members.has(name)) {
          findings.push({ severity: "error", subject: name, message: "appears twice in the ZIP" });
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            findings.push({
              severity: "error",
              subject: name,
              message: `unreadable: ${e?.message ?? "no data"}`,
            });
            zip.readEntry();
            return;
          }
          hashStream(stream, KEEP.has(name) || isManifest(name)).then(
            (m) => {
              members.set(name, m);
              zip.readEntry();
            },
            (se: Error) => {
              findings.push({ severity: "error", subject: name, message: `unreadable: ${se.message}` });
              zip.readEntry();
            },
          );
        });
      });
      zip.readEntry();
    });
  });
}

const carManifestFiles = z.object({
  cameras: z.array(z.object({ files: z.array(z.object({ file: z.string(), sha256: z.string() })) })),
});

function checkDescription(d: ExportDescription, members: Map<string, Member>, findings: Finding[]): void {
  for (const item of d.items) {
    const manifest = members.get(item.manifest.member);
    let listed: Map<string, string> | null = null;
    if (item.kind === "event" && manifest?.data) {
      const parsed = carManifestFiles.safeParse(JSON.parse(manifest.data.toString("utf8")));
      if (parsed.success)
        listed = new Map(parsed.data.cameras.flatMap((c) => c.files.map((f) => [f.file, f.sha256] as const)));
    }
    for (const f of item.files) {
      const m = members.get(f.member);
      if (m && m.sha256 !== f.sha256) {
        findings.push({
          severity: "error",
          subject: f.member,
          message: `SHA-256 differs from ${DESCRIPTION_MEMBER}`,
        });
      }
      if (f.indexedSha256 !== null && f.sha256 !== f.indexedSha256) {
        findings.push({
          severity: "error",
          subject: f.member,
          message: `exported bytes (SHA-256 ${f.sha256}) differ from what the station verified at ingest (${f.indexedSha256})`,
        });
      }
      const expected = listed?.get(f.file);
      if (expected && expected !== f.sha256) {
        findings.push({
          severity: "error",
          subject: f.member,
          message: `SHA-256 differs from its manifest ${item.manifest.member} (${expected})`,
        });
      }
    }
  }
  if (d.clip) {
    const m = members.get(d.clip.member);
    if (!m) findings.push({ severity: "error", subject: d.clip.member, message: "clip missing" });
    else if (m.sha256 !== d.clip.sha256)
      findings.push({
        severity: "error",
        subject: d.clip.member,
        message: `SHA-256 differs from ${DESCRIPTION_MEMBER}`,
      });
  }
}

/** The station audit extract: every line a chain entry; consecutive entries must link. */
function checkAuditExtract(data: Buffer | undefined, findings: Finding[]): void {
  if (!data) return;
  const lines = data.toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let before: { seq: number; hash: string } | null = null;
  lines.forEach((line, i) => {
    const entry = parseEntry(line);
    const subject = `${STATION_AUDIT_MEMBER} line ${i + 1}`;
    if (!entry) {
      findings.push({ severity: "error", subject, message: "not an audit entry" });
      return;
    }
    if (before && entry.seq <= before.seq)
      findings.push({ severity: "error", subject, message: `seq ${entry.seq} is not after ${before.seq}` });
    if (before && entry.seq === before.seq + 1 && entry.prev !== before.hash)
      findings.push({
        severity: "error",
        subject,
        message: "prev does not match the hash of the entry before it",
      });
    before = { seq: entry.seq, hash: lineHash(line) };
  });
}

export async function verifyExport(
  path: string,
  opts: { publicKeyPem?: string } = {},
): Promise<ExportVerifyReport> {
  const findings: Finding[] = [];
  let members: Map<string, Member>;
  try {
    members = await readMembers(path, findings);
  } catch (err) {
    findings.push({
      severity: "error",
      subject: path,
      message: `not a readable ZIP: ${(err as Error).message}`,
    });
    return { findings, members: 0, items: 0, keyFingerprint: null, ok: false };
  }
  const sums = members.get(SUMS_MEMBER)?.data;
  const sig = members.get(SIGNATURE_MEMBER)?.data;
  const pem = members.get(PUBLIC_KEY_MEMBER)?.data;
  for (const [name, v] of [
    [SUMS_MEMBER, sums],
    [SIGNATURE_MEMBER, sig],
    [PUBLIC_KEY_MEMBER, pem],
  ] as const) {
    if (!v) findings.push({ severity: "error", subject: name, message: "missing" });
  }
  let fingerprint: string | null = null;
  if (pem) {
    try {
      fingerprint = keyFingerprint(createPublicKey(pem));
    } catch {
      findings.push({ severity: "error", subject: PUBLIC_KEY_MEMBER, message: "not a public key" });
    }
  }
  const trusted = opts.publicKeyPem ?? pem;
  if (
    opts.publicKeyPem &&
    fingerprint !== null &&
    fingerprint !== keyFingerprint(createPublicKey(opts.publicKeyPem))
  ) {
    findings.push({
      severity: "error",
      subject: PUBLIC_KEY_MEMBER,
      message: "is not the station key given with --key",
    });
  }
  if (sums && sig && trusted && !verifySignature(trusted, sums, sig)) {
    findings.push({
      severity: "error",
      subject: SIGNATURE_MEMBER,
      message: `signature does not verify: ${SUMS_MEMBER} or the signature was changed, or it was signed by another key`,
    });
  }
  if (!opts.publicKeyPem && fingerprint) {
    findings.push({
      severity: "warning",
      subject: PUBLIC_KEY_MEMBER,
      message: `signed by key ${fingerprint}: compare with the station's published fingerprint (or pass --key)`,
    });
  }
  const parsed = sums ? parseSums(sums.toString("utf8")) : { lines: [], problems: [] };
  for (const p of parsed.problems) findings.push({ severity: "error", subject: SUMS_MEMBER, message: p });
  const listed = new Set<string>();
  for (const line of parsed.lines) {
    listed.add(line.name);
    const m = members.get(line.name);
    if (!m)
      findings.push({ severity: "error", subject: line.name, message: "missing (listed in SHA256SUMS)" });
    else if (m.sha256 !== line.sha256)
      findings.push({
        severity: "error",
        subject: line.name,
        message: `SHA-256 ${m.sha256} differs from SHA256SUMS (${line.sha256}): this member was changed`,
      });
  }
  for (const name of members.keys()) {
    if (!listed.has(name) && !UNLISTED.has(name))
      findings.push({ severity: "error", subject: name, message: "not listed in SHA256SUMS" });
  }
  let items = 0;
  const desc = members.get(DESCRIPTION_MEMBER)?.data;
  if (!desc) findings.push({ severity: "error", subject: DESCRIPTION_MEMBER, message: "missing" });
  else {
    let value: unknown = null;
    try {
      value = JSON.parse(desc.toString("utf8"));
    } catch {
      // reported below
    }
    const d = exportDescriptionSchema.safeParse(value);
    if (!d.success) {
      findings.push({
        severity: "error",
        subject: DESCRIPTION_MEMBER,
        message: "not a camsync-export/1 description",
      });
    } else {
      items = d.data.items.length;
      checkDescription(d.data, members, findings);
      if (fingerprint && d.data.station.keyFingerprint !== fingerprint)
        findings.push({
          severity: "error",
          subject: PUBLIC_KEY_MEMBER,
          message: `is key ${fingerprint}, ${DESCRIPTION_MEMBER} names ${d.data.station.keyFingerprint}`,
        });
      for (const mark of d.data.marks) {
        findings.push({
          severity: "warning",
          subject: DESCRIPTION_MEMBER,
          message: `export is marked: ${mark}`,
        });
      }
    }
  }
  checkAuditExtract(members.get(STATION_AUDIT_MEMBER)?.data, findings);
  return {
    findings,
    members: members.size,
    items,
    keyFingerprint: fingerprint,
    ok: !findings.some((f) => f.severity === "error"),
  };
}
