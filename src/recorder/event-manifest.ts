import { isoTime } from "../core/clock.js";
import { ORIGIN_KINDS, type Origin, type OriginKind } from "../core/trigger.js";
import type {
  BodycamRecord,
  CameraRecord,
  EventManifest,
  SegmentRecord,
  TimelineEntry,
} from "../evidence/manifest.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { findGaps, preEventCovered } from "./event-window.js";
import type { Claimed } from "./open-event.js";

/** Builds an event's manifest from its journal and the assembled, hashed files. Pure (table-tested). */

/** A claimed segment, hashed; `file` is relative to the event directory: `segments/{camera}/{file}`. */
export interface HashedSegment extends Claimed {
  camera: string;
  sha256: string;
  bytes: number;
}

export interface AssembledFile {
  camera: string;
  /** Relative to the event directory: `{camera}.mp4`, `{camera}-part2.mp4` … */
  file: string;
  part: number;
  sha256: string;
  bytes: number;
  durationSeconds: number;
}

export interface ManifestInput {
  open: OpenEntry;
  entries: readonly JournalEntry[];
  segments: readonly HashedSegment[];
  files: readonly AssembledFile[];
  /** End of the event (end of post-roll, or the last footage of an interrupted event), epoch ms. */
  endAt: number;
  interrupted?: string;
  version: string;
}

function toOrigin(o: { kind: string; id: string } | null | undefined): Origin | null {
  if (!o) return null;
  const kind = ORIGIN_KINDS.find((k) => k === o.kind) as OriginKind | undefined;
  return kind ? { kind, id: o.id } : null;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function buildManifest(input: ManifestInput): EventManifest {
  const { open, entries } = input;
  const from = open.triggerAt - open.preEventSeconds * 1000;
  const faults = entries.filter((e) => e.t === "fault");
  const daemonStarts = entries.flatMap((e) => (e.t === "daemon-start" ? [e.at] : []));

  const timeline: TimelineEntry[] = [];
  let postRollSeconds = 0;
  for (const e of entries) {
    if (e.t === "decision") {
      timeline.push({
        at: isoTime(e.at),
        type: e.type,
        origin: toOrigin(e.origin),
        reason: e.reason,
        seq: e.seq,
      });
      if (e.postRollSeconds !== undefined) postRollSeconds = e.postRollSeconds;
    } else if (e.t === "fault") {
      timeline.push({ at: isoTime(e.at), type: "camera-fault", reason: `${e.camera}: ${e.cause}` });
    } else if (e.t === "daemon-start") {
      timeline.push({
        at: isoTime(e.at),
        type: "daemon-restart",
        reason: "daemon restarted; event continued",
      });
    }
  }

  const cameras: CameraRecord[] = open.cameras.map((name) => {
    const segs = input.segments.filter((s) => s.camera === name).sort((a, b) => a.startedAt - b.startedAt);
    const gaps = findGaps(
      segs,
      from,
      input.endAt,
      faults.filter((f) => f.camera === name),
      daemonStarts,
    );
    return {
      name,
      files: input.files
        .filter((f) => f.camera === name)
        .sort((a, b) => a.part - b.part)
        .map((f) => ({
          file: f.file,
          sha256: f.sha256,
          bytes: f.bytes,
          durationSeconds: round3(f.durationSeconds),
          part: f.part,
        })),
      segments: segs.map(
        (s): SegmentRecord => ({
          file: s.file,
          startedAt: isoTime(s.startedAt),
          durationSeconds: s.durationMs / 1000,
          sha256: s.sha256,
          bytes: s.bytes,
          preEvent: s.preEvent,
          audio: s.muted ? "muted" : "kept",
          part: s.part,
        }),
      ),
      gaps: gaps.map((g) => ({
        from: isoTime(g.from),
        to: isoTime(g.to),
        seconds: round3((g.to - g.from) / 1000),
        cause: g.cause,
      })),
      preEventCoveredSeconds: round3(preEventCovered(segs, open.triggerAt)),
    };
  });

  const bodycams = new Map<string, BodycamRecord>();
  for (const e of entries) {
    if (e.t !== "bodycam") continue;
    bodycams.set(e.bodycamId, {
      id: e.bodycamId,
      commandedAt: isoTime(e.commandedAt),
      confirmedAt: e.confirmedAt === null ? null : isoTime(e.confirmedAt),
      latencyMs: e.latencyMs,
      initiated: entries.some(
        (d) =>
          d.t === "decision" &&
          d.origin?.kind === "bodycam" &&
          d.origin.id === e.bodycamId &&
          d.type === "event-start",
      ),
      alerts: e.confirmedAt === null ? ["did not confirm recording"] : [],
    });
  }

  const covered = cameras.map((c) => c.preEventCoveredSeconds ?? 0);
  const origin = toOrigin(open.origin) ?? { kind: "cli", id: "unknown" };
  const manifest: EventManifest = {
    manifestVersion: 1,
    eventId: open.eventId,
    vehicle: open.vehicle,
    officer: open.officer,
    software: { name: "camsync", version: input.version },
    startedAt: isoTime(open.triggerAt),
    endedAt: isoTime(input.endAt),
    origin,
    timeline,
    preEvent: {
      requestedSeconds: open.preEventSeconds,
      coveredSeconds: covered.length ? round3(Math.min(...covered)) : 0,
      audio: open.preEventAudio ? "kept" : "muted",
    },
    postRollSeconds,
    cameras,
    bodycams: [...bodycams.values()],
    gpsTrack: entries.flatMap((e) =>
      e.t === "gps" ? [{ at: isoTime(e.at), lat: e.lat, lon: e.lon, speedKmh: e.speedKmh }] : [],
    ),
    signals: entries.flatMap((e) =>
      e.t === "signal" ? [{ at: isoTime(e.at), name: e.name, value: e.value }] : [],
    ),
  };
  if (open.source === "after-the-fact") manifest.source = "after-the-fact";
  if (input.interrupted) manifest.interrupted = input.interrupted;
  return manifest;
}
