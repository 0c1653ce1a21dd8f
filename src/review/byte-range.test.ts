import { describe, expect, it } from "vitest";
import { fileValidators, rangeAnswer } from "./byte-range.js";

const v = fileValidators(1000, Date.UTC(2026, 10, 26, 14, 22, 33, 456), 42);

describe("HTTP Range answers", () => {
  it.each([
    [undefined, { status: 200 }],
    ["bytes=0-99", { status: 206, start: 0, end: 99 }],
    ["bytes=0-", { status: 206, start: 0, end: 999 }],
    ["bytes=900-5000", { status: 206, start: 900, end: 999 }], // clipped to the end
    ["bytes=-100", { status: 206, start: 900, end: 999 }],
    ["bytes=-5000", { status: 206, start: 0, end: 999 }],
    ["bytes=999-999", { status: 206, start: 999, end: 999 }],
    ["bytes=1000-", { status: 416 }], // starts at the end
    ["bytes=5000-6000", { status: 416 }],
    ["bytes=-0", { status: 416 }],
    ["bytes=0-9,20-29", { status: 200 }], // multi-range: the whole file
    ["bytes=50-10", { status: 200 }], // invalid: ignored
    ["items=0-9", { status: 200 }],
    ["bytes=abc", { status: 200 }],
    ["bytes=-", { status: 200 }],
  ])("Range %s → %o", (range, answer) => {
    expect(rangeAnswer(range, undefined, 1000, v)).toEqual(answer);
  });

  it("honours If-Range only while the validator still matches (strong ETag or exact Last-Modified)", () => {
    expect(rangeAnswer("bytes=0-9", v.etag, 1000, v)).toEqual({ status: 206, start: 0, end: 9 });
    expect(rangeAnswer("bytes=0-9", '"old"', 1000, v)).toEqual({ status: 200 });
    expect(rangeAnswer("bytes=0-9", `W/${v.etag}`, 1000, v)).toEqual({ status: 200 }); // weak never matches
    expect(rangeAnswer("bytes=0-9", v.lastModified, 1000, v)).toEqual({ status: 206, start: 0, end: 9 });
    expect(rangeAnswer("bytes=0-9", "Thu, 26 Nov 2026 14:22:32 GMT", 1000, v)).toEqual({ status: 200 });
    expect(rangeAnswer("bytes=0-9", "not a date", 1000, v)).toEqual({ status: 200 });
  });

  it("validators: Last-Modified at second precision, an ETag that changes with size, mtime and inode", () => {
    expect(v.lastModified).toBe("Thu, 26 Nov 2026 14:22:33 GMT");
    expect(fileValidators(1001, Date.UTC(2026, 10, 26, 14, 22, 33, 456), 42).etag).not.toBe(v.etag);
    expect(fileValidators(1000, Date.UTC(2026, 10, 26, 14, 22, 33, 456), 43).etag).not.toBe(v.etag);
  });
});
