import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../../src/station/db.js";
import { DatabaseInUseError } from "../../src/station/db-pglite.js";
import { tempDataDir } from "../evidence/event-fixture.js";
import { runCli } from "../support/cli.js";
import { STATION_TEST_TIMEOUT } from "../support/station-db.js";

describe("the embedded database is one process's", () => {
  const dir = tempDataDir("pglite-lock");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "refuses a second opener of the same PGlite directory, in this process and in another, until the first closes",
    async () => {
      const dataDir = join(dir, "db");
      const first = await openDb({ dataDir });
      await expect(openDb({ dataDir })).rejects.toBeInstanceOf(DatabaseInUseError);
      const config = join(dir, "station.yaml");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(config, `station:\n  dataDir: ${dir}\n  storage:\n    path: ${dir}\n`);
      const other = runCli(["station", "user", "add", "x1", "--role", "admin", "--config", config], {
        input: "a-long-password\n",
      });
      expect(other.code).toBe(1);
      expect(other.stderr).toMatch(/^camsync station: .* is in use by another camsync station process/);
      await first.close();
      const again = await openDb({ dataDir });
      expect((await again.query("SELECT 1 AS one"))[0]?.one).toBe(1);
      await again.close();
    },
    STATION_TEST_TIMEOUT,
  );
});
