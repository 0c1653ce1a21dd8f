import type { Alert } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { BodycamState } from "./bodycam-registry.js";

const UNPAIRED_ALERT_EVERY_MS = 10 * 60_000;

export interface BodycamAlertRulesOptions {
  lowBatteryPercent: number;
  alert: (code: string, severity: Alert["severity"], message: string, device?: string) => void;
  log: Logger;
}

/**
 * When body-cam sync raises an alert about a body cam: unpaired senders (at most every 10 minutes per
 * id), low batteries (once per drop), and cams offline during an event or when it needs them.
 */
export class BodycamAlertRules {
  private readonly batteryAlerted = new Set<string>();
  private readonly unpairedAlertedAt = new Map<string, number>();

  constructor(private readonly o: BodycamAlertRulesOptions) {}

  unpaired(id: string, topic: string, now: number): void {
    const last = this.unpairedAlertedAt.get(id);
    if (last !== undefined && now - last < UNPAIRED_ALERT_EVERY_MS) return;
    this.unpairedAlertedAt.set(id, now);
    this.o.log.warn({ bodycam: id, topic }, "ignored a message from an unpaired body cam");
    this.o.alert("bodycam-unpaired", "warning", `ignored messages from unpaired body cam ${id}`, id);
  }

  /** Once when the battery drops below the threshold (again only after it recovered by 5 points). */
  battery(id: string, battery: number | null): void {
    const low = this.o.lowBatteryPercent;
    if (battery === null) return;
    if (battery >= low + 5) this.batteryAlerted.delete(id);
    if (battery >= low || this.batteryAlerted.has(id)) return;
    this.batteryAlerted.add(id);
    this.o.alert(
      "bodycam-battery-low",
      "warning",
      `body cam ${id} battery at ${battery}% (below ${low}%)`,
      id,
    );
  }

  /** A cam that was online went offline while an event is recording. */
  wentOffline(id: string, eventId: string): void {
    this.o.alert("bodycam-offline", "warning", `body cam ${id} went offline during event ${eventId}`, id);
  }

  /** Paired cams still offline when the confirmation time is up cannot record the event: say so. */
  offlineForEvent(eventId: string, cams: [string, BodycamState][]): void {
    for (const [id, cam] of cams) {
      if (cam.online) continue;
      this.o.alert(
        "bodycam-offline",
        "warning",
        `paired body cam ${id} is offline: it is not recording event ${eventId}`,
        id,
      );
    }
  }
}
