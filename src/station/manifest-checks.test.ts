import { describe, expect, it } from "vitest";
import { checkClipManifest, checkFileName, parseKeyPrefix, Quarantine } from "./manifest-checks.js";

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    return err instanceof Quarantine ? err.reason : String(err);
  }
};

describe("object keys the station accepts", () => {
  it.each([
    [
      "unit12/20261126T142233Z-unit12-3f9a/",
      "",
      { kind: "event", vehicleId: "unit12", eventId: "20261126T142233Z-unit12-3f9a" },
    ],
    [
      "cars/unit12/20261126T142233Z-unit12-3f9a/",
      "cars/",
      { kind: "event", vehicleId: "unit12", eventId: "20261126T142233Z-unit12-3f9a" },
    ],
    [
      "bodycams/bc1/20261126T142235Z-bc1-9a0c/",
      "",
      { kind: "bodycam-clip", camId: "bc1", clipId: "20261126T142235Z-bc1-9a0c" },
    ],
  ] as const)("%s", (key, prefix, expected) => {
    expect(parseKeyPrefix(prefix, key)).toEqual(expected);
  });

  it.each([
    ["unit12/not-an-event/", ""],
    ["unit12/20261126T142233Z-unit12-3f9a/extra/", ""],
    ["../20261126T142233Z-unit12-3f9a/", ""],
    ["other/unit12/20261126T142233Z-unit12-3f9a/", "cars/"],
    ["bodycams/bc1/", ""],
    ["bodycams/bc 1/x/", ""],
  ])("refuses %s (prefix '%s')", (key, prefix) => {
    expect(reasonOf(() => parseKeyPrefix(prefix, key))).toBe("bad-key");
  });
});

describe("file names in manifests", () => {
  it.each(["front.mp4", "front-2.mp4", "clip_0001.mp4"])("accepts %s", (name) => {
    expect(reasonOf(() => checkFileName(name))).toBe("ok");
  });
  it.each(["../x.mp4", "a/b.mp4", "a\\b.mp4", ".hidden", "", "x\u0000.mp4", "x".repeat(256)])(
    "refuses %j",
    (name) => {
      expect(reasonOf(() => checkFileName(name))).toBe("unsafe-file-name");
    },
  );
});

describe("body-cam clip manifests (contract v1)", () => {
  const base = {
    clipManifestVersion: 1,
    camId: "bc1",
    clipId: "c1",
    eventId: "20261126T142233Z-unit12-3f9a",
    startedAt: "2026-11-26T14:22:35.000Z",
    endedAt: "2026-11-26T14:23:35.000Z",
    clockOffsetMs: 2000,
    files: [{ file: "clip.mp4", sha256: "a".repeat(64), bytes: 10 }],
  };
  const check = (m: unknown) =>
    checkClipManifest(Buffer.from(JSON.stringify(m)), { camId: "bc1", clipId: "c1" }, 4096);

  it("places the clip on the station's time axis (cam time minus its offset)", () => {
    const c = check(base);
    expect([c.alignedStart, c.alignedEnd]).toEqual(["2026-11-26T14:22:33.000Z", "2026-11-26T14:23:33.000Z"]);
  });

  it.each([
    ["another version", { clipManifestVersion: 2 }, "manifest-malformed"],
    ["another cam", { camId: "bc2" }, "identity-mismatch"],
    ["another clip id", { clipId: "c2" }, "identity-mismatch"],
    ["a bad event id", { eventId: "../x" }, "manifest-malformed"],
    ["no files", { files: [] }, "manifest-malformed"],
    ["a bad hash", { files: [{ file: "clip.mp4", sha256: "xyz", bytes: 1 }] }, "manifest-malformed"],
    [
      "a traversal",
      { files: [{ file: "../clip.mp4", sha256: "a".repeat(64), bytes: 1 }] },
      "unsafe-file-name",
    ],
    [
      "the manifest as a file",
      { files: [{ file: "manifest.json", sha256: "a".repeat(64), bytes: 1 }] },
      "unsafe-file-name",
    ],
    ["an end before the start", { endedAt: "2026-11-26T14:00:00.000Z" }, "manifest-malformed"],
    ["a huge offset", { clockOffsetMs: 1e12 }, "manifest-malformed"],
    ["a padded manifest", { pad: "x".repeat(5000) }, "manifest-too-large"],
  ])("quarantines %s", (_what, change, reason) => {
    expect(reasonOf(() => check({ ...base, ...change }))).toBe(reason);
  });
});
