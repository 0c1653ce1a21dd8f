import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, validateConfig } from "../config/load.js";
import { DEMO_CONFIG_PATH, demoConfig, parsePort } from "./demo-config.js";

describe("demo config", () => {
  it("the shipped config/demo.yaml is valid", () => {
    const r = loadConfigFile(DEMO_CONFIG_PATH);
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it("applies the data dir and ports and resolves relative replay files against the package", () => {
    const r = validateConfig({
      vehicle: { id: "demo1" },
      dataDir: "./var",
      vehicleBus: { enabled: true, source: { type: "replay", file: "config/demo-can.candump" } },
      gps: { enabled: true, source: { type: "replay", file: "config/demo-gps.nmea" } },
    });
    if (!r.ok) throw new Error(r.problems.join("\n"));
    const c = demoConfig(r.config, { dataDir: "/tmp/d", mqttPort: 0, httpPort: 18080 }, "/opt/camsync");
    expect(c.dataDir).toBe("/tmp/d");
    expect(c.mqtt.embeddedBroker.port).toBe(0);
    expect(c.control.statusPage.port).toBe(18080);
    expect(c.vehicleBus.source).toMatchObject({
      type: "replay",
      file: "/opt/camsync/config/demo-can.candump",
    });
    expect(r.config.dataDir).toBe("./var"); // the loaded config is not modified
    expect(demoConfig(r.config, {}).dataDir).toBe(resolve("var"));
  });

  it.each([
    ["0", 0],
    ["8080", 8080],
    ["65535", 65535],
  ])("port %s", (text, port) => expect(parsePort(text, "--http-port")).toBe(port));

  it.each(["-1", "65536", "80a", "", "1e3"])("refuses port %j", (text) => {
    expect(() => parsePort(text, "--http-port")).toThrow(/--http-port expects a port number/);
  });
});
