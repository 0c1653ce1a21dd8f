import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { EventBus } from "../core/event-bus.js";
import { silentLogger } from "../core/logger.js";
import { offloadConfigSchema } from "./config.js";
import { createOffload, retryDelayMs } from "./offload.js";

describe("offload retry delay", () => {
  it.each([
    [0, 30_000],
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [5, 480_000],
    [6, 600_000],
    [100, 600_000],
  ])("after %i consecutive failure(s): %i ms", (failures, expected) => {
    expect(retryDelayMs(failures, 30_000, 600_000)).toBe(expected);
  });
});

describe("offload start", () => {
  const dir = mkdtempSync(join(tmpdir(), "camsync-offload-unit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const audit = { append: () => ({ seq: 1, at: "", type: "", hash: "" }), latestManifest: () => undefined };
  const build = (config: Record<string, unknown>, clock = new FakeClock()) =>
    createOffload({
      config: offloadConfigSchema.parse(config),
      vehicleId: "unit12",
      dataDir: dir,
      bus: new EventBus(),
      clock,
      logger: silentLogger(),
      audit,
    });

  it("does nothing when disabled", async () => {
    const clock = new FakeClock();
    const o = build({}, clock);
    await o.start();
    expect(clock.timerCount).toBe(0);
    expect(o.status()).toMatchObject({ enabled: false, state: "disabled" });
    await o.stop();
  });

  it("refuses a credentials file others can read, without showing its content", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const path = join(dir, "creds");
    writeFileSync(path, `{"accessKeyId":"AKIA1","secretAccessKey":"${secret}"}`);
    chmodSync(path, 0o644);
    const clock = new FakeClock();
    const o = build(
      { enabled: true, bucket: "evidence", endpoint: "http://127.0.0.1:9", credentialsFile: path },
      clock,
    );
    const err = await o.start().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/refusing credentials readable by group or others \(mode 644\)/);
    expect(err?.message).not.toContain(secret);
    expect(clock.timerCount).toBe(0);
  });
});
