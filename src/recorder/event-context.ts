import type { EventBus } from "../core/event-bus.js";
import type { JournalEntry } from "./event-journal.js";
import type { OpenEvent } from "./open-event.js";

/**
 * What happens around an event, journaled while it is open: vehicle signals (the values at its start,
 * then changes only — a CAN signal may be re-decoded hundreds of times a second), GPS fixes and body-cam
 * confirmations. They end up in the manifest's signals, GPS track and body cams.
 */
export class EventContext {
  private readonly lastSignal = new Map<string, { value: number | string | null; at: number }>();

  constructor(private readonly openEvents: () => Iterable<OpenEvent>) {}

  subscribe(bus: EventBus): (() => void)[] {
    return [
      bus.on("signal", (s) => {
        if (this.lastSignal.has(s.name) && this.lastSignal.get(s.name)?.value === s.value) return;
        this.lastSignal.set(s.name, { value: s.value, at: s.at });
        this.toAll({ t: "signal", at: s.at, name: s.name, value: s.value });
      }),
      bus.on("gps", (g) => this.toAll({ t: "gps", at: g.at, lat: g.lat, lon: g.lon, speedKmh: g.speedKmh })),
      bus.on("bodycam-confirmation", (c) => {
        for (const ev of this.openEvents())
          if (ev.id === c.eventId) ev.journal.append({ t: "bodycam", ...c });
      }),
    ];
  }

  /** A new event starts with the vehicle's current signal values. */
  seed(ev: OpenEvent): void {
    for (const [name, v] of this.lastSignal)
      ev.journal.append({ t: "signal", at: v.at, name, value: v.value });
  }

  private toAll(entry: JournalEntry): void {
    for (const ev of this.openEvents()) ev.journal.append(entry);
  }
}
