import { z } from "zod";
import type { ControlResponse } from "../control/control-protocol.js";

/** A button press on the page, as the page's API accepts it. */
export const pageControlSchema = z.strictObject({
  action: z.enum(["start", "mark", "stop"]),
  reason: z.string().min(1).max(200).optional(),
});
export type PageControl = z.infer<typeof pageControlSchema>;

/** What the page shows after a button press. */
export interface ControlOutcome {
  ok: boolean;
  message: string;
  state: string | null;
  eventId: string | null;
}

const decisionSchema = z.object({
  type: z.string(),
  eventId: z.string().nullable().optional(),
  reason: z.string().optional(),
  postRollSeconds: z.number().optional(),
  continued: z.boolean().optional(),
});
const triggerResultSchema = z.object({
  decisions: z.array(decisionSchema),
  state: z.string().nullable().optional(),
  eventId: z.string().nullable().optional(),
});

function describe(d: z.infer<typeof decisionSchema>): { ok: boolean; message: string } {
  const ev = d.eventId ? ` (event ${d.eventId})` : "";
  switch (d.type) {
    case "event-start":
      return { ok: true, message: `Recording started${ev}` };
    case "event-join":
      return { ok: true, message: d.continued ? `Recording continued${ev}` : `Already recording${ev}` };
    case "mark":
      return { ok: true, message: `Marked${ev}` };
    case "stop-requested":
      return {
        ok: true,
        message: `Stopping: recording continues for ${d.postRollSeconds ?? 0} s of post-roll`,
      };
    case "stop-refused":
      return { ok: false, message: `Stop refused: ${d.reason ?? "not allowed by the stop policy"}` };
    case "ignored":
      return { ok: false, message: `Nothing done: ${d.reason ?? "ignored"}` };
    default:
      return { ok: true, message: `${d.type}${ev}` };
  }
}

/**
 * Summarise the daemon's answer to a trigger request for the officer: the decision the command caused
 * (decisions that only settled earlier deadlines come first and are not what the officer asked about).
 */
export function controlOutcome(action: PageControl["action"], response: ControlResponse): ControlOutcome {
  if (!response.ok)
    return { ok: false, message: `camsync refused ${action}: ${response.error}`, state: null, eventId: null };
  const parsed = triggerResultSchema.safeParse(response.result);
  if (!parsed.success) return { ok: true, message: `${action} sent`, state: null, eventId: null };
  const { decisions, state, eventId } = parsed.data;
  const last = decisions.at(-1);
  const { ok, message } = last
    ? describe(last)
    : { ok: false, message: `Nothing done: no decision for ${action}` };
  return { ok, message, state: state ?? null, eventId: eventId ?? null };
}
