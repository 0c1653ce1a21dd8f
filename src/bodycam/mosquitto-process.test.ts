import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMosquittoConfig } from "./mosquitto-process.js";

const shipped = readFileSync(resolve(import.meta.dirname, "../../config/mosquitto/mosquitto.conf"), "utf8");
const layout = {
  shippedConfig: shipped,
  port: 18883,
  host: "127.0.0.1",
  certDir: "/tmp/x/certs",
  aclFile: "/tmp/x/acl",
  persistenceDir: "/tmp/x/p",
};

describe("renderMosquittoConfig (the shipped config, relocated for a test broker)", () => {
  it("keeps the security settings and swaps only the deployment paths", () => {
    const text = renderMosquittoConfig(layout);
    const directives = text
      .split("\n")
      .filter((l) => l.trim() && !l.trim().startsWith("#"))
      .map((l) => l.trim());
    for (const d of [
      "listener 18883 127.0.0.1",
      "cafile /tmp/x/certs/ca.crt",
      "certfile /tmp/x/certs/server.crt",
      "keyfile /tmp/x/certs/server.key",
      "acl_file /tmp/x/acl",
      "persistence_location /tmp/x/p/",
      "require_certificate true",
      "use_identity_as_username true",
      "allow_anonymous false",
      "set_tcp_nodelay true",
    ]) {
      expect(directives).toContain(d);
    }
    expect(directives.some((d) => d.startsWith("include_dir"))).toBe(false);
    expect(directives.some((d) => d.includes("/etc/mosquitto"))).toBe(false);
  });

  it("refuses a shipped config that lost a directive it must relocate", () => {
    expect(() =>
      renderMosquittoConfig({ ...layout, shippedConfig: shipped.replace(/^acl_file .*$/m, "") }),
    ).toThrow(/acl_file/);
  });
});
