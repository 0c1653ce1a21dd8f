import { join } from "node:path";
import { z } from "zod";

/**
 * The local control channel: newline-delimited JSON over the Unix socket `{dataDir}/control.sock`
 * (mode 0660: owner and group only). One request per line, one response line per request.
 */
export const controlRequestSchema = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("trigger"),
    kind: z.enum(["start", "stop", "mark"]),
    reason: z.string().max(500).optional(),
    /** Who asked, for the audit log (e.g. "cli", "status-page"). */
    via: z.string().max(64).optional(),
  }),
  z.strictObject({ op: z.literal("status") }),
  /** Demo / bench only: drive a simulated input. Refused when the input is not simulated. */
  z.strictObject({ op: z.literal("simulate"), input: z.string().max(64), active: z.boolean() }),
  z.strictObject({
    op: z.literal("press"),
    input: z.string().max(64),
    holdMs: z.number().min(1).max(60_000),
  }),
  z.strictObject({
    op: z.literal("officer-set"),
    officer: z.string().min(1).max(64),
    /** Set the officer of one recorded event instead of the shift's officer. */
    eventId: z.string().max(100).optional(),
  }),
  z.strictObject({
    op: z.literal("event-tag"),
    eventId: z.string().max(100),
    category: z.string().max(64).optional(),
    /** The agency's case or incident number the event belongs to. */
    caseNumber: z.string().max(64).optional(),
    note: z.string().max(2000).optional(),
    /** Mark the event critical (uploaded first). */
    critical: z.literal(true).optional(),
    by: z.string().max(64).optional(),
  }),
  /** Record-after-the-fact: promote ring footage [from, to) (epoch ms) to an event. */
  z.strictObject({
    op: z.literal("event-create"),
    from: z.number().finite(),
    to: z.number().finite(),
    cameras: z.array(z.string().max(64)).max(32).optional(),
    reason: z.string().max(500).optional(),
  }),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlOp = ControlRequest["op"];

export type ControlResponse = { ok: true; result?: unknown } | { ok: false; error: string };

export const CONTROL_SOCKET_NAME = "control.sock";

/** Where a daemon with this data directory listens. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_NAME);
}
/** Longest accepted request line; longer input is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;
