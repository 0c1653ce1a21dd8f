import type { BodycamStatusPayload, BodycamSummary } from "./payloads.js";

/** What the car knows about each paired body cam, from its retained status. */
export interface BodycamState {
  online: boolean;
  recording: boolean;
  eventId: string | null;
  battery: number | null;
  /** Epoch ms of the last status received. */
  seenAt: number | null;
}

export class BodycamRegistry {
  private readonly cams = new Map<string, BodycamState>();

  constructor(pairedIds: readonly string[]) {
    for (const id of pairedIds) {
      this.cams.set(id, { online: false, recording: false, eventId: null, battery: null, seenAt: null });
    }
  }

  isPaired(id: string): boolean {
    return this.cams.has(id);
  }

  get(id: string): BodycamState | undefined {
    return this.cams.get(id);
  }

  /** Apply a status; returns the previous state (undefined for an unpaired id, which is not stored). */
  apply(id: string, status: BodycamStatusPayload, now: number): BodycamState | undefined {
    const prev = this.cams.get(id);
    if (!prev) return undefined;
    this.cams.set(
      id,
      status.online
        ? {
            online: true,
            recording: status.recording,
            eventId: status.eventId,
            battery: status.battery ?? null,
            seenAt: now,
          }
        : {
            online: false,
            recording: false,
            eventId: null,
            battery: status.battery ?? prev.battery,
            seenAt: now,
          },
    );
    return prev;
  }

  entries(): [string, BodycamState][] {
    return [...this.cams.entries()];
  }

  summaries(isConfirmed: (id: string) => boolean): BodycamSummary[] {
    return this.entries().map(([id, c]) => ({
      id,
      online: c.online,
      recording: c.recording,
      eventId: c.eventId,
      battery: c.battery,
      confirmed: isConfirmed(id),
    }));
  }
}
