// What is on disk: every event directory with its manifest, every event file seen during the run (so a
// deletion is noticed), the newest ring segment per camera, and leftover ffmpeg processes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

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

/** An event's footage, relative to its directory: the MP4s, the manifest, the claimed segments/{camera}/*.ts. */
function footageFiles(dir) {
  const out = [];
  const list = (d) => {
    try {
      return readdirSync(join(dir, d), { withFileTypes: true });
    } catch {
      return [];
    }
  };
  for (const f of list("")) {
    if (f.isFile() && (f.name.endsWith(".mp4") || f.name === "manifest.json")) out.push(f.name);
  }
  for (const cam of list("segments")) {
    if (!cam.isDirectory()) continue;
    for (const f of list(join("segments", cam.name)))
      if (f.isFile() && f.name.endsWith(".ts")) out.push(join("segments", cam.name, f.name));
  }
  return out;
}

/** Remembers every footage file under events/ ever seen; files listed in a manifest are final (size fixed). */
export class FootageLedger {
  constructor(dataDir) {
    this.dataDir = dataDir;
    /** path → { bytes, firstSeen, final } */
    this.seen = {};
  }

  scan() {
    for (const e of readEvents(this.dataDir)) {
      const listed = new Map();
      for (const cam of e.manifest?.cameras ?? []) for (const f of cam.files) listed.set(f.file, f.bytes);
      for (const rel of footageFiles(e.dir)) {
        const path = join(e.dir, rel);
        let bytes;
        try {
          bytes = statSync(path).size;
        } catch {
          continue;
        }
        const prev = this.seen[path];
        const final = listed.has(rel);
        this.seen[path] = {
          bytes: final ? listed.get(rel) : bytes,
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
