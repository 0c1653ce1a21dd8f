import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus.js";

const alert = { code: "x", severity: "info" as const, message: "m", at: 0 };

describe("bus", () => {
  it("runs listeners in subscription order, with `first` listeners ahead of the rest", () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.on("alert", () => order.push("a"));
    bus.on("alert", () => order.push("b"));
    bus.on("alert", () => order.push("urgent"), { first: true });
    bus.emit("alert", alert);
    expect(order).toEqual(["urgent", "a", "b"]);
  });

  it("a throwing listener is reported and never stops the others", () => {
    const bus = new EventBus();
    const errors: string[] = [];
    bus.setListenerErrorHandler((err, event) => errors.push(`${event}: ${(err as Error).message}`));
    let reached = false;
    bus.on("alert", () => {
      throw new Error("boom");
    });
    bus.on("alert", () => {
      reached = true;
    });
    bus.emit("alert", alert);
    expect(reached).toBe(true);
    expect(errors).toEqual(["alert: boom"]);
  });

  it("the returned function unsubscribes", () => {
    const bus = new EventBus();
    let n = 0;
    const off = bus.on("alert", () => n++);
    bus.emit("alert", alert);
    off();
    bus.emit("alert", alert);
    expect(n).toBe(1);
  });
});
