import { randomBytes } from "node:crypto";

/**
 * Event ids are unique, sortable and readable: `20261126T142233Z-unit12-3f9a`
 * (UTC start time to the second, vehicle id, 16 random bits).
 */
export function makeEventId(epochMs: number, vehicleId: string, suffix = randomSuffix()): string {
  const iso = new Date(epochMs).toISOString(); // 2026-11-26T14:22:33.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const unit = vehicleId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32) || "vehicle";
  return `${stamp}-${unit}-${suffix}`;
}

/**
 * 16 random bits as 4 hex digits, drawn from a pool of 64 random bytes refilled every 32 ids: an event id
 * is made on the trigger → body cam path, and one `randomBytes` call there cost more than the rest of the
 * engine's decision (docs/performance.md, "The trigger path").
 */
let pool = Buffer.alloc(0);
let used = 0;
export function randomSuffix(): string {
  if (used + 2 > pool.length) {
    pool = randomBytes(64);
    used = 0;
  }
  const suffix = pool.toString("hex", used, used + 2);
  used += 2;
  return suffix;
}

export const EVENT_ID_PATTERN = /^\d{8}T\d{6}Z-[A-Za-z0-9_-]{1,32}-[0-9a-f]{4,8}$/;

export function isEventId(s: string): boolean {
  return EVENT_ID_PATTERN.test(s);
}
