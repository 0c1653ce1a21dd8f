import { once } from "node:events";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { demoPort, portFree } from "./demo-ports.js";

describe("demo ports", () => {
  it("falls back to a free port when the config's is taken, and says so; keeps a port given on the command line", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    await once(holder, "listening");
    const taken = (holder.address() as { port: number }).port;
    try {
      expect(await portFree("127.0.0.1", taken)).toBe(false);
      const notices: string[] = [];
      expect(await demoPort("MQTT", "127.0.0.1", undefined, taken, (t) => notices.push(t))).toBe(0);
      expect(notices).toEqual([
        `camsync demo: MQTT port ${taken} is in use on 127.0.0.1; using a free port instead`,
      ]);
      expect(await demoPort("MQTT", "127.0.0.1", taken, 1883, () => {})).toBe(taken);
    } finally {
      holder.close();
    }
    expect(await portFree("127.0.0.1", taken)).toBe(true);
    expect(await demoPort("MQTT", "127.0.0.1", undefined, taken, () => {})).toBe(taken);
  });
});
