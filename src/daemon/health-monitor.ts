import type { HealthEntry } from "../control/daemon-status.js";
import { isoTime } from "../core/clock.js";
import type { Alert, HealthReport } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";

/** Components whose prolonged `down` means the daemon is not doing its job (the watchdog stops). */
const CRITICAL_PREFIXES = ["recorder:"];
const CRITICAL_DOWN_LIMIT_MS = 120_000;
const RECENT_ALERTS = 50;

/**
 * The daemon's view of its components' health and alerts, from the event bus: the latest report of
 * every component (logged when its state changes), the recent alerts, and whether the daemon counts as
 * healthy for the systemd watchdog.
 */
export class HealthMonitor {
  private readonly health = new Map<string, HealthReport & { downSince: number | null }>();
  private readonly alerts: Alert[] = [];

  constructor(private readonly logger: Logger) {}

  onHealth(h: HealthReport): void {
    const prev = this.health.get(h.component);
    const downSince = h.state === "down" ? (prev?.downSince ?? h.at) : null;
    this.health.set(h.component, { ...h, downSince });
    if (!prev || prev.state !== h.state) {
      const log = this.logger.child({ component: h.component });
      if (h.state === "ok")
        log.info({ health: h.state }, `${h.component} ok${h.detail ? `: ${h.detail}` : ""}`);
      else log.warn({ health: h.state, detail: h.detail }, `${h.component} ${h.state}: ${h.detail ?? ""}`);
    }
  }

  onAlert(a: Alert): void {
    this.alerts.push(a);
    if (this.alerts.length > RECENT_ALERTS) this.alerts.shift();
    this.logger.warn({ alert: a }, `alert ${a.code}: ${a.message}`);
  }

  /** Every component's latest report. */
  reports(): HealthReport[] {
    return [...this.health.values()];
  }

  /** The latest report of every component, by name, for the status. */
  entries(): Record<string, HealthEntry> {
    return Object.fromEntries(
      [...this.health].map(([k, v]) => [k, { state: v.state, detail: v.detail, at: isoTime(v.at) }]),
    );
  }

  /** The most recent alerts, oldest first. */
  recentAlerts(n: number): Alert[] {
    return this.alerts.slice(-n);
  }

  /** The daemon's own health, gating WATCHDOG=1: no critical component has been down too long. */
  healthy(now: number): boolean {
    for (const [name, h] of this.health) {
      if (!CRITICAL_PREFIXES.some((p) => name.startsWith(p))) continue;
      if (h.downSince !== null && now - h.downSince > CRITICAL_DOWN_LIMIT_MS) return false;
    }
    return true;
  }
}
