import type { HealthReport, HealthState } from "../core/event-bus.js";

export type HealthSummary = {
  state: HealthState | "unknown";
  detail?: string;
};

const RANK: Record<HealthSummary["state"], number> = { unknown: 0, ok: 1, degraded: 2, down: 3 };

/** The latest health report of every component, summarised per area for R/status. */
export class HealthBoard {
  private readonly reports = new Map<string, HealthReport>();

  report(h: HealthReport): void {
    this.reports.set(h.component, h);
  }

  /** Worst state among the components of an area (`recorder` covers `recorder` and `recorder:*`). */
  worst(area: string): HealthSummary {
    let worst: HealthSummary = { state: "unknown" };
    for (const h of this.reports.values()) {
      if (h.component !== area && !h.component.startsWith(`${area}:`)) continue;
      if (RANK[h.state] <= RANK[worst.state]) continue;
      worst =
        h.state === "ok"
          ? { state: "ok" }
          : { state: h.state, detail: `${h.component}: ${h.detail ?? h.state}` };
    }
    return worst;
  }
}
