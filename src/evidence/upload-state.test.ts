import { describe, expect, it } from "vitest";
import { compositeSha256, missingParts, objectState, partCount, type UploadState } from "./upload-state.js";

describe("upload state", () => {
  it.each([
    [0, 5, 1],
    [5, 5, 1],
    [6, 5, 2],
    [17, 5, 4],
  ])("%i bytes in parts of %i → %i part(s)", (bytes, size, n) => {
    expect(partCount(bytes, size)).toBe(n);
  });

  it("lists the parts still to send, whatever order they finished in", () => {
    const done = [3, 1].map((partNumber) => ({ partNumber, etag: "e", sha256: "s" }));
    expect(missingParts(17, 5, done)).toEqual([2, 4]);
    expect(missingParts(17, 5, [])).toEqual([1, 2, 3, 4]);
  });

  it("starts an object afresh when the file, its size or the part size changed", () => {
    const state: UploadState = { version: 1, objects: {} };
    const want = { key: "k", sha256: "a", bytes: 10, partSize: 5 };
    const obj = objectState(state, "f.mp4", want);
    obj.uploadId = "u1";
    obj.parts = [{ partNumber: 1, etag: "e", sha256: "s" }];
    expect(objectState(state, "f.mp4", want).uploadId).toBe("u1");
    expect(objectState(state, "f.mp4", { ...want, sha256: "b" }).uploadId).toBeNull();
    expect(state.objects["f.mp4"]?.parts).toEqual([]);
  });

  it("computes S3's composite SHA-256 (values from openssl: parts 'hello ' and 'world')", () => {
    const p1 = "5e3235a8346e5a4585f8c58562f5052b8fe26a3bb122e1e96c76784964dfc461";
    const p2 = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7";
    expect(compositeSha256([p1, p2])).toBe("Zhie15keHg/OBlOZxcoF/BXCgYZaeimRvdZnwUZqkaQ=-2");
  });
});
