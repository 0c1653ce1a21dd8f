import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputPathError, readInputFileSync } from "./input-file.js";

const MiB = 1024 * 1024;

describe("readInputFileSync", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "camsync-input-file-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a small file into a buffer sized for the file, not for the limit", () => {
    const path = join(dir, "ca.crt");
    const text = `-----BEGIN CERTIFICATE-----\n${"A".repeat(1500)}\n-----END CERTIFICATE-----\n`;
    writeFileSync(path, text);
    const data = readInputFileSync(path, { what: "CA certificate", maxBytes: MiB, text: true });
    expect(data.toString("utf8")).toBe(text);
    // The memory kept alive with the result (a certificate is held for every reconnect).
    expect(data.buffer.byteLength).toBeLessThan(64 * 1024);
  });

  it("reads a file whose size is not known in advance (/proc reports 0) to its end", () => {
    const data = readInputFileSync("/proc/self/status", { what: "status", maxBytes: MiB, text: true });
    const text = data.toString("utf8");
    expect(text).toMatch(/^Name:/);
    expect(text).toMatch(/VmRSS:/);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("still refuses a file past the limit when its size was not known in advance", () => {
    expect(() =>
      readInputFileSync("/proc/self/status", { what: "status", maxBytes: 64, text: true }),
    ).toThrow(InputPathError);
  });

  it("reads a file of exactly the limit", () => {
    const path = join(dir, "exact");
    writeFileSync(path, "x".repeat(4096));
    expect(readInputFileSync(path, { what: "file", maxBytes: 4096 }).length).toBe(4096);
  });
});
