import { createHash } from "node:crypto";
import { Readable, Transform, type Writable } from "node:stream";
import { ZipFile } from "yazl";
import {
  CAR_ANCHORS_MEMBER,
  DESCRIPTION_MEMBER,
  EXPORT_FORMAT,
  type ExportClip,
  type ExportDescription,
  type ExportedItem,
  formatSums,
  PUBLIC_KEY_MEMBER,
  SIGNATURE_MEMBER,
  STATION_AUDIT_MEMBER,
  SUMMARY_MEMBER,
  SUMS_MEMBER,
  type SumLine,
  safeSegment,
} from "./export-format.js";
import { renderExportSummary } from "./export-summary.js";
import { type StationKey, signBytes } from "./station-key.js";

/**
 * Writes a court export as a streamed ZIP: every object is read from storage once, hashed on its way
 * into the archive (no temporary copy), and the hashes go into SHA256SUMS, which is signed last.
 * Members are stored, not compressed (video does not compress, and a flipped byte stays a flipped byte).
 */

export interface ExportObject {
  file: string;
  objectKey: string;
  /** What the station indexed (hashed at ingest); null for an object it does not index. */
  sha256: string | null;
  bytes: number;
}

export interface ExportSourceItem {
  kind: "event" | "bodycam-clip";
  id: string;
  device: string;
  officer: string | null;
  startedAt: string;
  endedAt: string | null;
  categories: string[];
  held: boolean;
  quarantined: boolean;
  manifestKey: string;
  manifestSha256: string;
  carAuditHead: { seq: number; sha256: string } | null;
  files: ExportObject[];
}

export interface ClipRequest {
  itemId: string;
  file: string;
  fromSeconds: number;
  toSeconds: number;
}

export interface ExportInput {
  exportId: string;
  createdAt: string;
  exportedBy: string;
  scope: ExportDescription["scope"];
  items: ExportSourceItem[];
  /** The station audit entries about these items, exact lines in chain order. */
  stationAudit: string[];
  clip?: ClipRequest;
}

export interface ObjectReader {
  /** A stream of the object's bytes. */
  open(key: string): Promise<Readable>;
}

/** Cuts a time range out of a video stream by stream copy (see clip-cut.ts). */
export type ClipCutter = (source: Readable, fromSeconds: number, toSeconds: number) => Readable;

export const CLIP_METHOD =
  "ffmpeg stream copy (-ss before -i, -c copy): starts on the keyframe at or before the requested start; no re-encoding";

export interface ExportResult {
  exportId: string;
  members: number;
  /** SHA-256 of the signed SHA256SUMS (recorded in the station audit log). */
  sumsSha256: string;
  marks: ExportDescription["marks"];
}

/** A pass-through that hashes and counts what flows through it; `onDone` runs before its end is seen. */
function hashing(onDone: (r: { sha256: string; bytes: number }) => void): Transform {
  const hash = createHash("sha256");
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      onDone({ sha256: hash.digest("hex"), bytes });
      cb();
    },
  });
}

export async function writeExport(
  input: ExportInput,
  reader: ObjectReader,
  key: StationKey,
  out: Writable,
  cutClip?: ClipCutter,
): Promise<ExportResult> {
  const zip = new ZipFile();
  const sums: SumLine[] = [];
  /** The storage stream being copied now (destroyed when the export fails). */
  let reading: Readable | undefined;
  const mtime = new Date(input.createdAt);
  const opts = { compress: false, mtime };
  let failed: Error | null = null;
  let rejectExport: (err: Error) => void = () => {};
  const exportFailed = new Promise<never>((_resolve, reject) => {
    rejectExport = reject;
  });
  exportFailed.catch(() => {});
  const fail = (err: Error) => {
    if (failed) return;
    failed = err;
    rejectExport(err);
  };
  zip.on("error", (err: Error) => fail(err));

  /** Add a member whose bytes come from `open` when its turn comes; resolves with its hash. */
  const addStream = (name: string, open: () => Promise<Readable> | Readable) =>
    // settles only on success: a failure fails the whole ZIP (the zip's error rejects the export)
    new Promise<{ sha256: string; bytes: number }>((resolve) => {
      zip.addReadStreamLazy(name, opts, (cb) => {
        Promise.resolve()
          .then(open)
          .then((src) => {
            reading = src;
            // listed synchronously, in archive order, before the next member starts
            const h = hashing((r) => {
              sums.push({ sha256: r.sha256, name });
              resolve(r);
            });
            src.once("error", (err: Error) => {
              h.destroy();
              fail(new Error(`export member ${name}: ${err.message}`));
            });
            cb(null, src.pipe(h));
          })
          .catch((err: Error) => {
            fail(new Error(`export member ${name}: ${err.message}`));
          });
      });
    });
  const addText = (name: string, text: () => string | Buffer) =>
    addStream(name, () => Readable.from([Buffer.from(text())]));

  const items: ExportedItem[] = [];
  const pending: Promise<unknown>[] = [];
  const usedDirs = new Set<string>();
  for (const item of input.items) {
    let dir = `items/${item.kind}-${safeSegment(item.id)}`;
    while (usedDirs.has(dir)) dir += "_";
    usedDirs.add(dir);
    const exported: ExportedItem = {
      kind: item.kind,
      id: item.id,
      device: item.device,
      officer: item.officer,
      startedAt: item.startedAt,
      endedAt: item.endedAt,
      categories: item.categories,
      held: item.held,
      quarantined: item.quarantined,
      manifest: { member: `${dir}/manifest.json`, sha256: item.manifestSha256 },
      carAuditHead: item.carAuditHead,
      files: [],
    };
    items.push(exported);
    pending.push(
      addStream(exported.manifest.member, () => reader.open(item.manifestKey)).then((r) => {
        exported.manifest.sha256 = r.sha256;
      }),
    );
    for (const f of item.files) {
      const member = `${dir}/${f.file.split("/").map(safeSegment).join("/")}`;
      pending.push(
        addStream(member, () => reader.open(f.objectKey)).then((r) => {
          exported.files.push({
            member,
            file: f.file,
            sha256: r.sha256,
            bytes: r.bytes,
            indexedSha256: f.sha256,
          });
        }),
      );
    }
  }

  let clip: ExportClip | null = null;
  if (input.clip) {
    const req = input.clip;
    const item = input.items.find((i) => i.id === req.itemId);
    const source = item?.files.find((f) => f.file === req.file);
    const sourceSha256 = source?.sha256;
    if (!item || !source || !sourceSha256)
      throw new Error(`clip source ${req.itemId}/${req.file} is not an indexed video of this export`);
    if (!cutClip) throw new Error("no clip cutter configured");
    const member = `clip/${safeSegment(item.id)}-${safeSegment(req.file.replace(/\.[^.]*$/, ""))}-${req.fromSeconds}s-${req.toSeconds}s.mp4`;
    pending.push(
      addStream(member, async () =>
        cutClip(await reader.open(source.objectKey), req.fromSeconds, req.toSeconds),
      ).then((r) => {
        clip = {
          member,
          sha256: r.sha256,
          bytes: r.bytes,
          source: { itemId: item.id, file: source.file, sha256: sourceSha256 },
          requested: { fromSeconds: req.fromSeconds, toSeconds: req.toSeconds },
          method: CLIP_METHOD,
        };
      }),
    );
  }

  const marks: ExportDescription["marks"] = [];
  if (input.items.some((i) => i.held)) marks.push("held");
  if (input.items.some((i) => i.quarantined)) marks.push("quarantined");
  pending.push(addText(STATION_AUDIT_MEMBER, () => input.stationAudit.map((l) => `${l}\n`).join("")));
  pending.push(
    addText(
      CAR_ANCHORS_MEMBER,
      () =>
        `${JSON.stringify(
          input.items
            .filter((i) => i.kind === "event")
            .map((i) => ({ eventId: i.id, vehicleId: i.device, carAuditHead: i.carAuditHead })),
          null,
          2,
        )}\n`,
    ),
  );
  const description = (): ExportDescription => ({
    format: EXPORT_FORMAT,
    exportId: input.exportId,
    createdAt: input.createdAt,
    exportedBy: input.exportedBy,
    station: { keyFingerprint: key.fingerprint },
    scope: input.scope,
    marks,
    items,
    clip,
    stationAudit: { member: STATION_AUDIT_MEMBER, entries: input.stationAudit.length },
  });
  // written after every object: they carry the hashes computed on the way
  pending.push(addText(SUMMARY_MEMBER, () => renderExportSummary(description())));
  pending.push(addText(DESCRIPTION_MEMBER, () => `${JSON.stringify(description(), null, 2)}\n`));
  let sumsBytes = Buffer.alloc(0);
  zip.addReadStreamLazy(SUMS_MEMBER, opts, (cb) => {
    sumsBytes = Buffer.from(formatSums(sums));
    cb(null, Readable.from([sumsBytes]));
  });
  zip.addReadStreamLazy(SIGNATURE_MEMBER, opts, (cb) => cb(null, Readable.from([signBytes(key, sumsBytes)])));
  zip.addBuffer(Buffer.from(key.publicPem), PUBLIC_KEY_MEMBER, opts);
  zip.end();

  const written = new Promise<void>((resolve, reject) => {
    let finished = false;
    out.once("error", reject);
    out.once("finish", () => {
      finished = true;
      resolve();
    });
    // the receiver went away (an HTTP client disconnected): stop reading storage
    out.once("close", () => {
      if (!finished) reject(new Error("the receiver closed the stream before the export was complete"));
    });
  });
  zip.outputStream.pipe(out);
  try {
    await Promise.race([written, exportFailed]);
  } catch (err) {
    // a partial archive must not look complete: the output ends in an error, not a central directory
    reading?.destroy();
    out.destroy(err as Error);
    throw err;
  }
  await Promise.all(pending);
  return {
    exportId: input.exportId,
    members: sums.length + 3,
    sumsSha256: createHash("sha256").update(sumsBytes).digest("hex"),
    marks,
  };
}
