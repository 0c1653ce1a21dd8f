import type { OffloadBacklog } from "../core/event-bus.js";

/**
 * Which finished events to upload, in what order: events marked critical (flag or critical category)
 * first, then oldest first. An event is done when its upload is verified and the server holds its
 * current manifest (a tag after the upload sends the manifest again). Pure, table-tested.
 */
export interface OffloadCandidate {
  eventId: string;
  /** Epoch ms the event started. */
  startedAt: number;
  critical: boolean;
  verified: boolean;
  /** The server holds the event's current manifest. */
  manifestUploaded: boolean;
}

export interface CandidateSource {
  eventId: string;
  startedAt: string;
  critical?: boolean | undefined;
  category?: string | undefined;
  offload?: { state: string } | undefined;
}

export function toCandidate(
  m: CandidateSource,
  criticalCategories: readonly string[],
  manifestUploaded = false,
): OffloadCandidate {
  const started = Date.parse(m.startedAt);
  return {
    eventId: m.eventId,
    startedAt: Number.isNaN(started) ? 0 : started,
    critical: m.critical === true || (m.category !== undefined && criticalCategories.includes(m.category)),
    verified: m.offload?.state === "verified",
    manifestUploaded,
  };
}

export function offloadOrder(candidates: readonly OffloadCandidate[]): OffloadCandidate[] {
  return candidates
    .filter((c) => !c.verified || !c.manifestUploaded)
    .sort(
      (a, b) =>
        Number(b.critical) - Number(a.critical) ||
        a.startedAt - b.startedAt ||
        (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
}

/** What R/status says about the queue: how many events wait, and since when the oldest (by start). */
export function backlogOf(queue: readonly OffloadCandidate[]): OffloadBacklog {
  let oldest: number | null = null;
  for (const c of queue) if (oldest === null || c.startedAt < oldest) oldest = c.startedAt;
  return { events: queue.length, oldestStartedAt: oldest };
}
