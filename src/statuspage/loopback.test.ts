import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/load.js";
import { isLoopbackHost } from "./loopback.js";

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.20", false],
    ["128.0.0.1", false],
    ["localhost.example.com", false],
    ["evil.com", false],
    ["", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("control.statusPage config", () => {
  const base = { vehicle: { id: "unit12" } };
  const withPage = (statusPage: Record<string, unknown>) =>
    validateConfig({ ...base, control: { statusPage } });

  it("defaults to loopback on port 8080 without a token", () => {
    const r = validateConfig(base);
    expect(r.ok && r.config.control.statusPage).toEqual({ enabled: true, host: "127.0.0.1", port: 8080 });
  });

  it("refuses a non-loopback host without a token, naming the path", () => {
    const r = withPage({ host: "0.0.0.0" });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      "control.statusPage.token: required when the status page listens on a non-loopback host",
    ]);
  });

  it("accepts a non-loopback host with a token, and a disabled page without one", () => {
    expect(withPage({ host: "0.0.0.0", token: "0123456789abcdef0123" }).ok).toBe(true);
    expect(withPage({ host: "0.0.0.0", enabled: false }).ok).toBe(true);
  });

  it("refuses a token shorter than 16 characters", () => {
    const r = withPage({ host: "10.0.0.5", token: "short" });
    expect(!r.ok && r.problems[0]).toMatch(/^control\.statusPage\.token: expected at least 16 characters/);
  });
});
