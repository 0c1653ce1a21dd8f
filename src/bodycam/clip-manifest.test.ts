import { describe, expect, it } from "vitest";
import { makeClipId } from "./clip-manifest.js";

describe("clip ids", () => {
  it("are the UTC start second, the cam id and the suffix", () => {
    expect(makeClipId(Date.UTC(2026, 10, 26, 14, 22, 35, 999), "bc1", "9a0c")).toBe(
      "20261126T142235Z-bc1-9a0c",
    );
  });
});
