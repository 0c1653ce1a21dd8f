import { describe, expect, it } from "vitest";
import { evidenceConfigSchema } from "./config.js";

describe("evidence config", () => {
  it("has safe defaults: offload off, 7 days after verified upload", () => {
    const c = evidenceConfigSchema.parse({});
    expect(c.offload).toMatchObject({
      enabled: false,
      verify: "checksum",
      forcePathStyle: true,
      partSizeMiB: 16,
    });
    expect(c.retention).toMatchObject({ keepDaysAfterUpload: 7, checkIntervalSeconds: 300 });
  });

  it.each([
    [{ offload: { enabled: true } }, "offload.bucket"],
    [{ offload: { partSizeMiB: 4 } }, "offload.partSizeMiB"],
    [{ offload: { verify: "md5" } }, "offload.verify"],
    [{ offload: { endpoint: "not a url" } }, "offload.endpoint"],
    [{ offload: { prefix: "no-slash" } }, "offload.prefix"],
    [{ retention: { keepDays: 3 } }, "retention"],
  ])("rejects %j at %s", (input, path) => {
    const r = evidenceConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });

  it("accepts a MinIO setup", () => {
    const c = evidenceConfigSchema.parse({
      offload: {
        enabled: true,
        endpoint: "https://minio.station.local:9000",
        bucket: "evidence",
        prefix: "cars/",
      },
    });
    expect(c.offload.bucket).toBe("evidence");
  });
});
