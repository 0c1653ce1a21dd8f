import { randomBytes } from "node:crypto";

/**
 * Event ids are unique, sortable and readable: `20261126T142233Z-unit12-3f9a`
 * (UTC start time to the second, vehicle id, 16 random bits).
 */
export function makeEventId(
  epochMs: number,
  vehicleId: string,
  suffix = randomBytes(2).toString("hex"),
): string {
  const iso = new Date(epochMs).toISOString(); // 2026-11-26T14:22:33.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const unit = vehicleId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32) || "vehicle";
  return `${stamp}-${unit}-${suffix}`;
}

export const EVENT_ID_PATTERN = /^\d{8}T\d{6}Z-[A-Za-z0-9_-]{1,32}-[0-9a-f]{4,8}$/;

export function isEventId(s: string): boolean {
  return EVENT_ID_PATTERN.test(s);
}
