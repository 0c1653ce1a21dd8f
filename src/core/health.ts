/** How one part of the system is doing. */
export type HealthState = "ok" | "degraded" | "down";

/** A rollup over parts: "unknown" when no part of the area has reported yet. */
export type HealthRollup = HealthState | "unknown";

export type HealthSummary = {
  state: HealthRollup;
  /** Which part, and why, when not ok. */
  detail?: string;
};

const RANK: Record<HealthRollup, number> = { unknown: 0, ok: 1, degraded: 2, down: 3 };

/**
 * The one health rollup (daemon status, R/status, the recorder's cameras): the worst state among an
 * area's latest reports. Area `recorder` covers the component `recorder` and every `recorder:*`.
 */
export function rollupHealth(
  reports: Iterable<{ component: string; state: HealthState; detail?: string | undefined }>,
  area: string,
): HealthSummary {
  let worst: HealthSummary = { state: "unknown" };
  for (const h of reports) {
    if (h.component !== area && !h.component.startsWith(`${area}:`)) continue;
    if (RANK[h.state] <= RANK[worst.state]) continue;
    worst =
      h.state === "ok"
        ? { state: "ok" }
        : { state: h.state, detail: `${h.component}: ${h.detail ?? h.state}` };
  }
  return worst;
}
