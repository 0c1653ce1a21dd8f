import {
  type Alert,
  EventBus,
  type GpsFix,
  type HealthReport,
  type SignalValue,
} from "../../src/core/event-bus.js";

/** Shared by the serial-line, CAN-source and GPS tests: a bus whose reports are recorded. */
export function recordingBus() {
  const bus = new EventBus();
  const health: HealthReport[] = [];
  const alerts: Alert[] = [];
  const signals: SignalValue[] = [];
  const fixes: GpsFix[] = [];
  bus.on("health", (h) => health.push(h));
  bus.on("alert", (a) => alerts.push(a));
  bus.on("signal", (s) => signals.push(s));
  bus.on("gps", (g) => fixes.push(g));
  return { bus, health, alerts, signals, fixes };
}

/** Poll (in real time) until `cond` holds; for async I/O that a fake clock cannot drive. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
