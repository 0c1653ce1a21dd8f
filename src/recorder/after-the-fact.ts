import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import { makeEventId } from "../core/event-id.js";
import type { Logger } from "../core/logger.js";
import { currentOfficer } from "../evidence/officer.js";
import type { RecorderConfig } from "./config.js";
import { type Assembled, assembleOpenEvent } from "./event-assembly.js";
import { belongsToEvent } from "./event-window.js";
import { OpenEvent } from "./open-event.js";
import { readRingIndex } from "./ring-index.js";
import { segmentEnd } from "./segment.js";

/**
 * Record-after-the-fact: promote continuous ring footage (kept `ring.keepHours`) to an event, as
 * `camsync event create --from T --to T` does. The segments are hard-linked out of the ring first, so the
 * running daemon's ring rotation cannot take them away mid-assembly; then the event is assembled and
 * hashed like any other. Audio follows the pre-event policy (muted unless `preEventAudio`). With a daemon
 * running, the CLI asks it to do this (control op `event-create`), so the event is in its audit log.
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

/** How far a requested bound may lie beyond the ring's footage (the newest segment is still being written). */
export function rangeToleranceMs(segmentSeconds: number): number {
  return Math.max(3000, 2 * segmentSeconds * 1000);
}

const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);

/**
 * The ring segments a promotion claims. Refused (with the ring's real range) when the range reaches
 * outside the footage the ring holds: no event is made of footage that does not exist.
 */
function selectFootage(o: PromoteOptions, cameras: readonly string[]) {
  const rings = cameras.map((camera) => {
    const ringDir = join(o.dataDir, "ring", camera);
    return { camera, ringDir, all: readRingIndex(ringDir, camera) };
  });
  const all = rings.flatMap((r) => r.all);
  const keep = `ring.keepHours is ${o.config.ring.keepHours}`;
  if (all.length === 0)
    throw new NoFootageError(`the ring holds no footage for ${cameras.join(", ")} (${keep})`);
  // A loop, not Math.min(...): a ring kept for hours holds more segments than a call takes arguments.
  let ringFrom = Number.POSITIVE_INFINITY;
  let ringTo = Number.NEGATIVE_INFINITY;
  for (const s of all) {
    ringFrom = Math.min(ringFrom, s.startedAt);
    ringTo = Math.max(ringTo, segmentEnd(s));
  }
  const tolerance = rangeToleranceMs(o.config.segmentSeconds);
  if (o.from < ringFrom - tolerance || o.to > ringTo + tolerance) {
    throw new NoFootageError(
      `${iso(o.from)} to ${iso(o.to)} is outside the ring's footage: it holds ${iso(ringFrom)} to ${iso(ringTo)} (${keep})`,
    );
  }
  const selected = rings.map((r) => ({
    ...r,
    segments: r.all.filter((s) => belongsToEvent(s, o.from, o.to)),
  }));
  const claimed = selected.flatMap((s) => s.segments);
  if (claimed.length === 0) {
    throw new NoFootageError(
      `no ring footage between ${iso(o.from)} and ${iso(o.to)}: the ring holds ${iso(ringFrom)} to ${iso(ringTo)} (${keep})`,
    );
  }
  const firstFootage = claimed.reduce((first, s) => Math.min(first, s.startedAt), Number.POSITIVE_INFINITY);
  return { selected, firstFootage };
}

export async function promoteRing(o: PromoteOptions): Promise<Assembled & { eventId: string; dir: string }> {
  const configured = o.config.cameras.map((c) => c.name);
  const cameras = o.cameras?.length ? o.cameras : configured;
  const unknown = cameras.filter((c) => !configured.includes(c));
  if (unknown.length) throw new NoFootageError(`unknown camera(s): ${unknown.join(", ")}`);
  if (o.to <= o.from) throw new NoFootageError("--to must be after --from");
  const { selected, firstFootage } = selectFootage(o, cameras);

  // The id dates the footage actually claimed, not the requested bound.
  const eventId = makeEventId(firstFootage, o.vehicle.id, o.idSuffix);
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

/** What `camsync event create` prints (and the daemon answers). */
export function promotionSummary(r: Assembled & { eventId: string; dir: string }) {
  return {
    eventId: r.eventId,
    dir: r.dir,
    files: r.files.map((f) => ({ file: f.file, sha256: f.sha256, durationSeconds: f.durationSeconds })),
    gaps: r.manifest.cameras.flatMap((c) => c.gaps.map((g) => ({ camera: c.name, ...g }))),
    manifestSha256: r.manifestSha256,
  };
}

export interface EventCreateDeps {
  config: Config;
  dataDir: string;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  version: string;
}

/**
 * The daemon's `event-create` control handler: promotes the range and announces the finalized event on the
 * bus, so the daemon's audit log records it (and offload picks it up) like any recorded event.
 */
export function eventCreateHandler(deps: EventCreateDeps) {
  return async (req: {
    from: number;
    to: number;
    cameras?: string[] | undefined;
    reason?: string | undefined;
  }) => {
    const r = await promoteRing({
      config: deps.config.recorder,
      dataDir: deps.dataDir,
      vehicle: deps.config.vehicle,
      from: req.from,
      to: req.to,
      cameras: req.cameras,
      reason: req.reason ?? DEFAULT_REASON,
      now: deps.clock.now(),
      version: deps.version,
      log: deps.log,
    });
    deps.bus.emit("event-finalized", {
      eventId: r.eventId,
      dir: r.dir,
      manifestSha256: r.manifestSha256,
      at: deps.clock.now(),
    });
    deps.log.info(
      { eventId: r.eventId, from: req.from, to: req.to },
      `event ${r.eventId} created from ring footage`,
    );
    return promotionSummary(r);
  };
}

export const DEFAULT_REASON = "record-after-the-fact (camsync event create)";
