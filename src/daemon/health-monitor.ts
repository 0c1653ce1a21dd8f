import type { HealthEntry } from "../control/daemon-status.js";
import { isoTime } from "../core/clock.js";
import type { Alert, HealthReport } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";

/**
 * Components whose `down` for longer than the limit means the daemon is not doing its job (WATCHDOG=1 is
 * withheld). The audit log has no grace: no evidence without its audit trail (systemd's WatchdogSec leaves
 * the start retry its chance before a restart).
 */
const CRITICAL: readonly { prefix: string; downLimitMs: number }[] = [
  { prefix: "recorder:", downLimitMs: 120_000 },
  { prefix: "audit", downLimitMs: 0 },
];
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
      const critical = CRITICAL.find((c) => name.startsWith(c.prefix));
      if (critical && h.downSince !== null && now - h.downSince >= critical.downLimitMs) return false;
    }
    return true;
  }

  /** Critical components down right now, with why (READY's STATUS and the ready line name them). */
  criticalDown(): string[] {
    return [...this.health]
      .filter(([name, h]) => h.state === "down" && CRITICAL.some((c) => name.startsWith(c.prefix)))
      .map(([name, h]) => `${name} down${h.detail ? ` (${h.detail})` : ""}`);
  }
}
