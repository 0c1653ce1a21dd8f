import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStationConfig, StationConfigError } from "../../src/station/config.js";
import { repoRoot } from "../support/cli.js";

describe("station configuration", () => {
  it("accepts the shipped example", () => {
    const file = parseStationConfig(
      parse(readFileSync(join(repoRoot, "config/station.example.yaml"), "utf8")),
    );
    expect(file.station.database.url).toMatch(/^postgres:/);
    expect(file.station.ingest).toMatchObject({ scanIntervalSeconds: 60, leaseSeconds: 300 });
  });

  it("fills defaults for a minimal file (PGlite, filesystem storage)", () => {
    const file = parseStationConfig({ station: { storage: { path: "/srv/evidence" } } });
    expect(file.station).toMatchObject({
      dataDir: "/var/lib/camsync-station",
      database: { poolSize: 10 },
      http: { host: "127.0.0.1", port: 8080 },
    });
    expect(file.station.database.url).toBeUndefined();
  });

  it("lists every problem with its path", () => {
    let err: unknown;
    try {
      parseStationConfig({ station: { storage: {}, http: { port: "x" }, bogus: 1 }, database: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StationConfigError);
    const problems = (err as StationConfigError).problems.join("\n");
    expect(problems).toContain("station.storage: set exactly one of storage.s3 or storage.path");
    expect(problems).toMatch(/station\.http\.port: .*expected number/);
    expect(problems).toContain("station.bogus: unknown key");
    expect(problems).toContain("database: unknown key");
  });
});
