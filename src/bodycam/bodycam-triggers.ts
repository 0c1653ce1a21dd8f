import type { Trigger } from "../core/trigger.js";

const RECENT_KEYS = 64;

/**
 * Pure: turns paired body cams' own starts and stops into activation-engine triggers, idempotently.
 * A cam's start asserts its trigger (`bodycam:{id}`) once; QoS 1 duplicates (same `active` and `at`)
 * and repeated starts while asserted are dropped. The trigger clears when the officer stops the
 * cam, or when its status says it no longer records or it went offline — so its next start is a
 * fresh trigger again.
 */
export class BodycamTriggers {
  private readonly asserted = new Set<string>();
  private readonly seen = new Map<string, string[]>();
  duplicates = 0;

  /** A body cam's `activation` message: the trigger to emit, or null (duplicate / nothing to clear). */
  onActivation(id: string, active: boolean, at: string, now: number): Trigger | null {
    const key = `${active}|${at}`;
    const seen = this.seen.get(id) ?? [];
    if (seen.includes(key) || (active && this.asserted.has(id))) {
      this.duplicates++;
      return null;
    }
    seen.push(key);
    if (seen.length > RECENT_KEYS) seen.shift();
    this.seen.set(id, seen);
    if (active) {
      this.asserted.add(id);
      return {
        origin: { kind: "bodycam", id },
        active: true,
        at: now,
        reason: `body cam ${id} started by its officer`,
      };
    }
    return this.clear(id, "stopped by its officer", now);
  }

  /** A body cam's status: clears its trigger when it no longer records. */
  onStatus(id: string, online: boolean, recording: boolean, now: number): Trigger | null {
    if (recording) return null;
    return this.clear(id, online ? "stopped recording" : "went offline", now);
  }

  private clear(id: string, why: string, now: number): Trigger | null {
    if (!this.asserted.delete(id)) return null;
    return { origin: { kind: "bodycam", id }, active: false, at: now, reason: `body cam ${id} ${why}` };
  }
}
