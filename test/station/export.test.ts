import { execFileSync } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import { cutClip } from "../../src/station/custody/clip-cut.js";
import { verifyExport } from "../../src/station/custody/export-verify.js";
import { type ExportInput, writeExport } from "../../src/station/custody/export-writer.js";
import { loadOrCreateStationKey } from "../../src/station/custody/station-key.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { captureCli } from "../evidence/cli-capture.js";

const dir = mkdtempSync(join(tmpdir(), "camsync-export-"));
const objects = join(dir, "objects");
const reader = { open: async (key: string) => createReadStream(join(objects, key)) };
const key = loadOrCreateStationKey(join(dir, "station"));
let input: ExportInput;

function put(name: string, data: Buffer): { sha256: string; bytes: number } {
  execFileSync("mkdir", ["-p", join(objects, name, "..")]);
  writeFileSync(join(objects, name), data);
  return { sha256: sha256Hex(data), bytes: data.length };
}

beforeAll(() => {
  // a real MP4 (2 s GOP, moov first, as the car assembles it) and a body-cam file
  execFileSync("mkdir", ["-p", join(objects, "car1/ev1")]);
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=8"],
    ...[
      "-c:v",
      "libx264",
      "-g",
      "20",
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      join(objects, "car1/ev1/front.mp4"),
    ],
  ]);
  const front = readFileSync(join(objects, "car1/ev1/front.mp4"));
  const frontHash = { sha256: sha256Hex(front), bytes: front.length };
  const manifest = Buffer.from(
    JSON.stringify({
      eventId: "ev1",
      cameras: [{ name: "front", files: [{ file: "front.mp4", ...frontHash }] }],
    }),
  );
  const m = put("car1/ev1/manifest.json", manifest);
  const cam = put("bodycams/bc1/c1/clip.mp4", Buffer.from("body-cam bytes ".repeat(1000)));
  const camManifest = put("bodycams/bc1/c1/manifest.json", Buffer.from('{"clipId":"c1"}'));
  const audit = [
    '{"seq":1,"at":"2026-12-04T10:00:00.000Z","type":"event-viewed","eventId":"ev1","user":"sup","prev":"0000000000000000000000000000000000000000000000000000000000000000"}',
  ];
  audit.push(
    `{"seq":2,"at":"2026-12-04T10:01:00.000Z","type":"hold-placed","eventId":"ev1","user":"sup","prev":"${sha256Hex(audit[0] as string)}"}`,
  );
  input = {
    exportId: "x1",
    createdAt: "2026-12-04T10:02:00.000Z",
    exportedBy: "sup",
    scope: { kind: "incident", id: "ev1" },
    stationAudit: audit,
    items: [
      {
        kind: "event",
        id: "ev1",
        device: "car1",
        officer: "o1",
        startedAt: "2026-12-04T09:00:00.000Z",
        endedAt: "2026-12-04T09:00:08.000Z",
        categories: ["arrest"],
        held: true,
        quarantined: false,
        manifestKey: "car1/ev1/manifest.json",
        manifestSha256: m.sha256,
        carAuditHead: { seq: 42, sha256: "a".repeat(64) },
        files: [{ file: "front.mp4", objectKey: "car1/ev1/front.mp4", ...frontHash }],
      },
      {
        kind: "bodycam-clip",
        id: "c1",
        device: "bc1",
        officer: "o1",
        startedAt: "2026-12-04T09:00:01.000Z",
        endedAt: "2026-12-04T09:00:07.000Z",
        categories: [],
        held: false,
        quarantined: false,
        manifestKey: "bodycams/bc1/c1/manifest.json",
        manifestSha256: camManifest.sha256,
        carAuditHead: null,
        files: [{ file: "clip.mp4", objectKey: "bodycams/bc1/c1/clip.mp4", ...cam }],
      },
    ],
    clip: { itemId: "ev1", file: "front.mp4", fromSeconds: 2, toSeconds: 5 },
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportTo(path: string, over: Partial<ExportInput> = {}) {
  return writeExport({ ...input, ...over }, reader, key, createWriteStream(path), cutClip);
}

/** Offset and length of each member's data in the ZIP (stored entries). */
async function memberData(path: string): Promise<Map<string, { offset: number; length: number }>> {
  const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(path, { lazyEntries: true });
  const fd = readFileSync(path);
  const out = new Map<string, { offset: number; length: number }>();
  await new Promise<void>((resolve) => {
    zip.on("entry", (e: yauzl.Entry) => {
      const h = e.relativeOffsetOfLocalHeader;
      const offset = h + 30 + fd.readUInt16LE(h + 26) + fd.readUInt16LE(h + 28);
      out.set(e.fileName, { offset, length: e.compressedSize });
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.readEntry();
  });
  zip.close();
  return out;
}

describe("court export", () => {
  it("verifies offline; a held item marks it; the clip is cut by stream copy with its own hash", async () => {
    const path = join(dir, "ok.zip");
    const result = await exportTo(path);
    expect(result.marks).toEqual(["held"]);
    const report = await verifyExport(path, { publicKeyPem: key.publicPem });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.items).toBe(2);
    expect(report.findings.map((f) => f.message)).toContain("export is marked: held");
    const members = await memberData(path);
    const clipName = [...members.keys()].find((n) => n.startsWith("clip/"));
    expect(clipName).toBe("clip/ev1-front-2s-5s.mp4");
    // the clip is a playable MP4 of about 3 s (keyframe-aligned start: 2 s GOP)
    const x = join(dir, "x");
    execFileSync("unzip", ["-q", "-o", path, "-d", x]);
    const probe = execFileSync("ffprobe", [
      ...["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", join(x, clipName as string)],
    ]).toString();
    expect(Number(probe)).toBeGreaterThan(2.5);
    expect(Number(probe)).toBeLessThan(4.5);
  });

  it("an item with a quarantine record is exported and marked", async () => {
    const path = join(dir, "quarantined.zip");
    const items = input.items.map((i) => (i.id === "c1" ? { ...i, quarantined: true } : i));
    expect((await exportTo(path, { items, clip: undefined })).marks).toEqual(["held", "quarantined"]);
    const report = await verifyExport(path);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.message)).toContain("export is marked: quarantined");
    const x = join(dir, "quarantined");
    execFileSync("unzip", ["-q", "-o", path, "-d", x]);
    expect(readFileSync(join(x, "summary.html"), "utf8")).toContain(
      "quarantined (an item failed verification",
    );
  });

  it("checks with sha256sum and openssl alone, as docs/station.md says", async () => {
    const path = join(dir, "tools.zip");
    await exportTo(path);
    const x = join(dir, "tools");
    execFileSync("unzip", ["-q", "-o", path, "-d", x]);
    writeFileSync(join(dir, "published.pem"), key.publicPem);
    const fp = execFileSync("sh", [
      "-c",
      `openssl pkey -pubin -in '${join(dir, "published.pem")}' -outform DER | sha256sum`,
    ]).toString();
    expect(fp.split(" ")[0]).toBe(key.fingerprint);
    const ok = execFileSync("openssl", [
      ...["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "published.pem"), "-rawin"],
      ...["-in", join(x, "SHA256SUMS"), "-sigfile", join(x, "SHA256SUMS.sig")],
    ]).toString();
    expect(ok).toContain("Signature Verified Successfully");
    expect(execFileSync("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: x }).toString()).not.toContain(
      "FAILED",
    );
    // step 4: nothing was added
    const listOf = (cmd: string) => execFileSync("sh", ["-c", cmd], { cwd: x }).toString();
    const files = listOf(
      "find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sig ! -name station-key.pub.pem | sed 's|^\\./||' | sort",
    );
    expect(files).toBe(listOf("cut -c67- SHA256SUMS | sort"));
    expect(files.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(8);
  });

  it("a flipped byte in any member is named by verify", async () => {
    const path = join(dir, "flip.zip");
    await exportTo(path);
    const original = readFileSync(path);
    const members = await memberData(path);
    expect(members.size).toBeGreaterThanOrEqual(12);
    for (const [name, { offset, length }] of members) {
      const bytes = Buffer.from(original);
      const at = offset + Math.floor(length / 2);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      const flipped = join(dir, "flipped.zip");
      writeFileSync(flipped, bytes);
      const report = await verifyExport(flipped);
      expect(report.ok, name).toBe(false);
      const named = report.findings.filter((f) => f.severity === "error").map((f) => f.subject);
      // the list and its signature are what every other member is checked against: a flip shows as a bad signature
      const expected = name === "SHA256SUMS" || name === "SHA256SUMS.sig" ? "SHA256SUMS.sig" : name;
      expect(named, name).toContain(expected);
    }
  });

  it("a ZIP signed by another key fails against the published key", async () => {
    const path = join(dir, "other.zip");
    const other = loadOrCreateStationKey(join(dir, "other-station"));
    await writeExport({ ...input, clip: undefined }, reader, other, createWriteStream(path));
    expect((await verifyExport(path)).ok).toBe(true);
    const report = await verifyExport(path, { publicKeyPem: key.publicPem });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.subject)).toEqual(
      expect.arrayContaining(["station-key.pub.pem", "SHA256SUMS.sig"]),
    );
  });

  it("a receiver that goes away mid-export ends it and stops reading storage", async () => {
    const opened: ReturnType<typeof createReadStream>[] = [];
    const tracking = {
      open: async (k: string) => {
        const st = createReadStream(join(objects, k), { highWaterMark: 1024 });
        opened.push(st);
        return st;
      },
    };
    let received = 0;
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        if (received > 4096) this.destroy();
        else cb();
      },
    });
    await expect(writeExport({ ...input, clip: undefined }, tracking, key, out)).rejects.toThrow(
      /receiver closed/,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((st) => st.destroyed || st.readableEnded)).toBe(true);
  });

  it("a storage read failure fails the export instead of writing a partial ZIP as complete", async () => {
    const path = join(dir, "fail.zip");
    const broken = {
      ...input.items[1],
      files: [{ file: "gone.mp4", objectKey: "nope/gone.mp4", sha256: "0".repeat(64), bytes: 1 }],
    };
    await expect(
      writeExport(
        { ...input, clip: undefined, items: [broken as ExportInput["items"][number]] },
        reader,
        key,
        createWriteStream(path),
      ),
    ).rejects.toThrow(/gone\.mp4/);
  });

  it("camsync verify EXPORT.zip: exit 0 with the key's fingerprint; a changed member is named, exit 1", async () => {
    const path = join(dir, "cli.zip");
    await exportTo(path, { clip: undefined });
    const pem = join(dir, "station.pub.pem");
    writeFileSync(pem, key.publicPem);
    const ok = await captureCli(() => verifyCommand.run([path, "--key", pem]));
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`signed by key ${key.fingerprint}`);
    const { offset, length } = (await memberData(path)).get("items/bodycam-clip-c1/clip.mp4") as {
      offset: number;
      length: number;
    };
    const bytes = readFileSync(path);
    bytes[offset + length - 1] = (bytes[offset + length - 1] as number) ^ 0x80;
    writeFileSync(path, bytes);
    const bad = await captureCli(() => verifyCommand.run([path]));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      /CHANGED {2}items\/bodycam-clip-c1\/clip\.mp4: SHA-256 .* differs from SHA256SUMS/,
    );
  });
});
