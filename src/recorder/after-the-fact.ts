import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { makeEventId } from "../core/event-id.js";
import type { Logger } from "../core/logger.js";
import { currentOfficer } from "../evidence/officer.js";
import type { RecorderConfig } from "./config.js";
import { type Assembled, assembleOpenEvent } from "./event-assembly.js";
import { belongsToEvent } from "./event-window.js";
import { OpenEvent } from "./open-event.js";
import { readRingIndex } from "./ring-index.js";

/**
 * Record-after-the-fact: promote continuous ring footage (kept `ring.keepHours`) to an event, as
 * `camsync event create --from T --to T` does. The segments are hard-linked out of the ring first, so the
 * running daemon's ring rotation cannot take them away mid-assembly; then the event is assembled and
 * hashed like any other. Audio follows the pre-event policy (muted unless `preEventAudio`).
 */

export interface PromoteOptions {
  config: RecorderConfig;
  dataDir: string;
  vehicle: Config["vehicle"];
  from: number;
  to: number;
  /** Default: every configured camera. */
  cameras?: string[];
  reason: string;
  now: number;
  version: string;
  log: Logger;
  /** Event id suffix (tests). */
  idSuffix?: string;
}

export class NoFootageError extends Error {
  override name = "NoFootageError";
}

export async function promoteRing(o: PromoteOptions): Promise<Assembled & { eventId: string; dir: string }> {
  const configured = o.config.cameras.map((c) => c.name);
  const cameras = o.cameras?.length ? o.cameras : configured;
  const unknown = cameras.filter((c) => !configured.includes(c));
  if (unknown.length) throw new NoFootageError(`unknown camera(s): ${unknown.join(", ")}`);
  if (o.to <= o.from) throw new NoFootageError("--to must be after --from");

  const selected = cameras.map((camera) => {
    const ringDir = join(o.dataDir, "ring", camera);
    return {
      camera,
      ringDir,
      segments: readRingIndex(ringDir, camera).filter((s) => belongsToEvent(s, o.from, o.to)),
    };
  });
  if (selected.every((s) => s.segments.length === 0)) {
    throw new NoFootageError(
      `no ring footage between ${new Date(o.from).toISOString()} and ${new Date(o.to).toISOString()}` +
        ` (ring.keepHours is ${o.config.ring.keepHours})`,
    );
  }

  const eventId = makeEventId(o.from, o.vehicle.id, o.idSuffix);
  const dir = join(o.dataDir, "events", eventId);
  if (existsSync(dir)) throw new NoFootageError(`event ${eventId} already exists`);
  const origin = { kind: "cli" as const, id: "event-create" };
  const ev = OpenEvent.create({
    dir,
    open: {
      t: "open",
      at: o.now,
      eventId,
      origin,
      triggerAt: o.from,
      preEventSeconds: 0,
      preEventAudio: o.config.preEventAudio,
      segmentSeconds: o.config.segmentSeconds,
      vehicle: { id: o.vehicle.id, name: o.vehicle.name, agency: o.vehicle.agency },
      officer: currentOfficer(o.dataDir, o.vehicle.officer),
      cameras,
      source: "after-the-fact",
    },
    ffmpegPath: o.config.ffmpegPath,
    audioCameras: new Set(o.config.cameras.filter((c) => c.audio.enabled).map((c) => c.name)),
    log: o.log,
  });
  ev.journal.append({ t: "decision", at: o.now, type: "after-the-fact", reason: o.reason, origin });
  ev.endAt = o.to;
  for (const s of selected) for (const seg of s.segments) ev.claim(seg, join(s.ringDir, seg.file));
  const result = await assembleOpenEvent(ev, {
    endAt: o.to,
    ffmpegPath: o.config.ffmpegPath,
    ffprobePath: o.config.ffprobePath,
    version: o.version,
  });
  return { ...result, eventId, dir };
}
