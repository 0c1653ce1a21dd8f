import type { EventBusEvents, GpsFix, SignalValue } from "../core/event-bus.js";

type BusSubscribe = <K extends keyof EventBusEvents>(
  event: K,
  listener: (...args: EventBusEvents[K]) => void,
) => () => void;

/** The latest vehicle readings seen on the bus: decoded signals (first `limit` names) and the GPS fix. */
export class Readings {
  private readonly values = new Map<string, SignalValue>();
  private fix: GpsFix | null = null;

  constructor(private readonly limit = 6) {}

  get signals(): SignalValue[] {
    return [...this.values.values()];
  }

  get gps(): GpsFix | null {
    return this.fix;
  }

  signal(s: SignalValue): void {
    if (this.values.has(s.name) || this.values.size < this.limit) this.values.set(s.name, s);
  }

  gpsFix(f: GpsFix): void {
    this.fix = f;
  }

  subscribe(on: BusSubscribe): () => void {
    const offs = [on("signal", (s) => this.signal(s)), on("gps", (f) => this.gpsFix(f))];
    return () => {
      for (const off of offs) off();
    };
  }
}
