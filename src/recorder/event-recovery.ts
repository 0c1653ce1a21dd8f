import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { OpenEvent } from "./open-event.js";

/**
 * Event directories a previous daemon left without a manifest, sorted by what they need:
 * - `reassemble`: assembly had begun (the journal has its `end`): assemble again with the same end;
 * - `ended`: post-roll had ended (`event-end` journaled): claim what is missing, then assemble;
 * - `open`: still recording when the daemon stopped: resumed by the activation engine, or assembled as
 *   interrupted after a grace period.
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
}

export function findUnfinishedEvents(eventsDir: string): UnfinishedEvents {
  const out: UnfinishedEvents = { reassemble: [], ended: [], open: [] };
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
    const u = { dir, ...read };
    const finished = read.entries.filter((e) => e.t === "end").at(-1);
    if (finished?.t === "end")
      out.reassemble.push({ ...u, endAt: finished.at, interrupted: finished.interrupted });
    else if (read.entries.some((e) => e.t === "decision" && e.type === "event-end")) out.ended.push(u);
    else out.open.push(u);
  }
  return out;
}
