import { type Dirent, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import { isTempFileName } from "../storage/atomic-file.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { OpenEvent } from "./open-event.js";

/**
 * Event directories a previous daemon left without a manifest, sorted by what they need:
 * - `reassemble`: assembly had begun (the journal has its `end`): assemble again with the same end;
 * - `ended`: post-roll had ended (`event-end` journaled): claim what is missing, then assemble;
 * - `open`: still recording when the daemon stopped: resumed by the activation engine, or assembled as
 *   interrupted after a grace period.
 * Temp files a killed daemon left in them (a pre-event segment being muted, a manifest being written) are
 * removed: they were never evidence, and the work they belonged to is redone.
 */

export interface Unfinished {
  dir: string;
  open: OpenEntry;
  entries: JournalEntry[];
}

export interface UnfinishedEvents {
  reassemble: (Unfinished & { endAt: number; interrupted: string | undefined })[];
  ended: Unfinished[];
  open: Unfinished[];
  /** Leftover temp files removed (absolute paths). */
  removedTemps: string[];
}

/** Work directories of assembly before it streamed (`.assembling-{camera}-{part}/`), left by a kill. */
const LEGACY_WORK_DIR = ".assembling-";

/** Remove the temp files under an event directory (its top level and `segments/{camera}/`). */
export function removeTempFiles(dir: string): string[] {
  const removed: string[] = [];
  const sweep = (d: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory() && e.name.startsWith(LEGACY_WORK_DIR)) {
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      } else if (e.isDirectory() && depth > 0) sweep(path, depth - 1);
      else if (e.isFile() && isTempFileName(e.name)) {
        rmSync(path, { force: true });
        removed.push(path);
      }
    }
  };
  sweep(dir, 2);
  return removed;
}

export function findUnfinishedEvents(eventsDir: string): UnfinishedEvents {
  const out: UnfinishedEvents = { reassemble: [], ended: [], open: [], removedTemps: [] };
  let names: string[];
  try {
    names = readdirSync(eventsDir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const dir = join(eventsDir, name);
    if (existsSync(join(dir, MANIFEST_FILE))) continue;
    const read = OpenEvent.readOpenEntry(dir);
    if (!read) continue;
    out.removedTemps.push(...removeTempFiles(dir));
    const u = { dir, ...read };
    const finished = read.entries.filter((e) => e.t === "end").at(-1);
    if (finished?.t === "end")
      out.reassemble.push({ ...u, endAt: finished.at, interrupted: finished.interrupted });
    else if (read.entries.some((e) => e.t === "decision" && e.type === "event-end")) out.ended.push(u);
    else out.open.push(u);
  }
  return out;
}
