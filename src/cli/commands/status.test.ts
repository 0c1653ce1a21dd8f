import { describe, expect, it } from "vitest";
import { formatStatus } from "./status.js";

describe("camsync status (human form)", () => {
  it("shows the daemon's own trigger → body-cam latencies", () => {
    const out = formatStatus({
      vehicle: "unit12",
      state: "idle",
      components: {
        "bodycam-sync": {
          latency: {
            triggerToPublishMs: { count: 12, p50: 0.41, p99: 1.2, max: 1.3 },
            publishToConfirmationMs: { count: 0, p50: null, p99: null, max: null },
          },
        },
      },
    });
    expect(out).toContain(
      "latency      trigger → publish p50 0.41 ms, p99 1.2 ms (n 12); publish → confirmed -",
    );
  });

  it("says nothing of latency when the daemon runs without body-cam sync", () => {
    expect(formatStatus({ vehicle: "unit12", components: {} })).not.toContain("latency");
  });
});
