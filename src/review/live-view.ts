import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { PREVIEW_FILE } from "../recorder/capture-args.js";
import { parseSegmentList } from "../recorder/segment.js";
import { resolveEventFile } from "./event-file.js";
import { mediaPlaylist } from "./hls-playlist.js";
import { sendMediaFile } from "./media-response.js";
import { ReviewError } from "./review-error.js";

export interface LiveRequest {
  /** `{dataDir}/ring` */
  ringDir: string;
  /** A plain name (checked by the caller), as is `name`. */
  camera: string;
  name: string;
  headers: Record<string, string>;
  mediaHeaders: Record<string, string>;
}

/**
 * Live view: the camera's preview picture (a JPEG its ffmpeg rewrites a few times a second), or a sliding
 * HLS playlist over the newest completed ring segments (for a camera without preview; a segment is only
 * listed once complete, so this is a few seconds behind).
 */
export async function serveLive(req: IncomingMessage, res: ServerResponse, o: LiveRequest): Promise<void> {
  const { camera, name } = o;
  const ringDir = join(o.ringDir, camera);
  if (name === PREVIEW_FILE) {
    const r = resolveEventFile(o.ringDir, camera, [PREVIEW_FILE]);
    if (!r.ok)
      throw new ReviewError(404, `camera ${camera} has no live preview (not recording, or preview disabled)`);
    await sendMediaFile(req, res, r.path, r.stat, "image/jpeg", {
      ...o.headers,
      "cache-control": "no-store",
    });
    return;
  }
  if (name === "index.m3u8") {
    const body = livePlaylist(ringDir);
    if (body === null) throw new ReviewError(404, `camera ${camera} has no recent footage in the ring`);
    res.writeHead(200, { ...o.headers, "content-type": "application/vnd.apple.mpegurl" });
    res.end(body);
    return;
  }
  if (!name.endsWith(".ts")) throw new ReviewError(404, "not found");
  const r = resolveEventFile(o.ringDir, camera, [name]);
  if (!r.ok) throw new ReviewError(404, `segment ${name} is no longer in the ring`);
  await sendMediaFile(req, res, r.path, r.stat, "video/mp2t", o.mediaHeaders);
}

/** The newest run's last completed segments (ffmpeg lists a segment once it is closed). */
const LIVE_WINDOW = 4;
function livePlaylist(ringDir: string): string | null {
  let lists: string[];
  try {
    lists = readdirSync(ringDir)
      .filter((f) => f.endsWith(".csv"))
      .sort();
  } catch {
    return null;
  }
  const newest = lists.at(-1);
  if (!newest) return null;
  const { entries } = parseSegmentList(readFileSync(join(ringDir, newest), "utf8"));
  const first = Math.max(0, entries.length - LIVE_WINDOW);
  const window = entries.slice(first);
  if (window.length === 0) return null;
  return mediaPlaylist(
    window.map((e) => ({
      uri: e.file,
      durationMs: Math.round((e.end - e.start) * 1000),
      discontinuity: false,
    })),
    // a new run numbers its segments from 0 again: counting from the run's start second keeps the sequence
    // increasing across runs (a run of N s has at most N segments of ≥ 1 s)
    { type: "live", ended: false, mediaSequence: runStartSecond(newest.slice(0, -4)) + first },
  );
}

function runStartSecond(run: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/.exec(run);
  if (!m) return 0;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Math.floor(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0) / 1000);
}
