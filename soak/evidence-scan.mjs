// What is on disk: every event directory with its manifest, every footage file an event lists that was seen
// during the run (so a deletion is noticed), the newest ring segment per camera, and leftover ffmpeg processes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { JOURNAL_FILE } from "../dist/recorder/event-journal.js";
import { isTempFileName } from "../dist/storage/atomic-file.js";

export function readEvents(dataDir) {
  const root = join(dataDir, "events");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("."))
    .map((d) => {
      const dir = join(root, d.name);
      const file = join(dir, "manifest.json");
      if (!existsSync(file)) return { eventId: d.name, dir, manifest: null, error: "no manifest.json" };
      try {
        return { eventId: d.name, dir, manifest: JSON.parse(readFileSync(file, "utf8")) };
      } catch (err) {
        return { eventId: d.name, dir, manifest: null, error: String(err.message) };
      }
    });
}

/**
 * An event's evidence, relative to its directory: what its manifest lists (the MP4s, the claimed segments,
 * the manifest itself) and the segments its journal claimed. Files nothing lists (an in-progress temp file
 * such as a pre-event segment being muted) are not evidence and are never counted. → path → final bytes
 * (manifest-listed) or null (journal-listed: muting may still rewrite it).
 */
export function listedFootage(dir, manifest) {
  const listed = new Map();
  for (const s of readJournalSegments(dir)) listed.set(s, null);
  if (manifest) {
    listed.set("manifest.json", null);
    for (const cam of manifest.cameras ?? [])
      for (const f of [...(cam.files ?? []), ...(cam.segments ?? [])]) listed.set(f.file, f.bytes);
  }
  for (const rel of listed.keys()) if (isTempFileName(rel)) listed.delete(rel);
  return listed;
}

/** `segments/{camera}/{file}` of every segment the event's journal claimed (a torn last line is skipped). */
function readJournalSegments(dir) {
  let text;
  try {
    text = readFileSync(join(dir, JOURNAL_FILE), "utf8");
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split("\n")) {
    try {
      const e = JSON.parse(line);
      if (e?.t === "segment" && typeof e.camera === "string" && typeof e.file === "string")
        out.push(join("segments", e.camera, e.file));
    } catch {}
  }
  return out;
}

/** Remembers every listed footage file under events/ ever seen; files listed in a manifest are final (size fixed). */
export class FootageLedger {
  constructor(dataDir) {
    this.dataDir = dataDir;
    /** path → { bytes, firstSeen, final } */
    this.seen = {};
  }

  scan() {
    for (const e of readEvents(this.dataDir)) {
      for (const [rel, listedBytes] of listedFootage(e.dir, e.manifest)) {
        const path = join(e.dir, rel);
        let bytes;
        try {
          bytes = statSync(path).size;
        } catch {
          continue;
        }
        const prev = this.seen[path];
        const final = listedBytes !== null;
        this.seen[path] = {
          bytes: final ? listedBytes : bytes,
          firstSeen: prev?.firstSeen ?? Date.now(),
          final: final || prev?.final === true,
        };
      }
    }
  }

  /** path → { bytes } for every remembered file that still exists. */
  atEnd() {
    const out = {};
    for (const path of Object.keys(this.seen)) {
      try {
        out[path] = { bytes: statSync(path).size };
      } catch {}
    }
    return out;
  }
}

/** Newest segment file's mtime (ms) in each ring/{camera}/ folder. */
export function ringHeads(dataDir) {
  const root = join(dataDir, "ring");
  const out = {};
  if (!existsSync(root)) return out;
  for (const cam of readdirSync(root)) {
    let newest = 0;
    let count = 0;
    try {
      for (const f of readdirSync(join(root, cam))) {
        count++;
        try {
          newest = Math.max(newest, statSync(join(root, cam, f)).mtimeMs);
        } catch {}
      }
    } catch {
      continue;
    }
    out[cam] = { newest, count };
  }
  return out;
}

/** ffmpeg processes whose command line mentions `dataDir`, with their parent pid. */
export function ffmpegProcessesFor(dataDir) {
  const out = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
      if (!/ffmpeg$/.test(cmdline[0] ?? "") || !cmdline.some((a) => a.includes(dataDir))) continue;
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.push({ pid: Number(p), ppid });
    } catch {}
  }
  return out;
}
