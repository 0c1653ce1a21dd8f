import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CredentialsError, loadCredentials, parseCredentials } from "./s3-credentials.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

describe("storage credentials file", () => {
  const dir = mkdtempSync(join(tmpdir(), "camsync-cred-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["JSON", `{"accessKeyId":"AKIA1","secretAccessKey":"${SECRET}"}`],
    ["YAML", `accessKeyId: AKIA1\nsecretAccessKey: "${SECRET}"\n`],
    ["AWS INI", `[default]\naws_access_key_id = AKIA1\naws_secret_access_key = ${SECRET}\n`],
    ["INI without section", `accessKeyId=AKIA1\nsecretAccessKey=${SECRET}\n`],
  ])("reads %s", (_name, text) => {
    expect(parseCredentials(text, "/f")).toEqual({ accessKeyId: "AKIA1", secretAccessKey: SECRET });
  });

  it("takes [default] when the INI file has several profiles", () => {
    const text = `[other]\naws_access_key_id = X\naws_secret_access_key = Y\n[default]\naws_access_key_id = AKIA1\naws_secret_access_key = ${SECRET}\naws_session_token = T\n`;
    expect(parseCredentials(text, "/f")).toEqual({
      accessKeyId: "AKIA1",
      secretAccessKey: SECRET,
      sessionToken: "T",
    });
  });

  it("names a missing key without echoing any value", () => {
    const err = (() => {
      try {
        parseCredentials(`accessKeyId: ${SECRET}\n`, "/etc/camsync/s3");
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err?.message).toContain("/etc/camsync/s3: expected accessKeyId and secretAccessKey");
    expect(err?.message).not.toContain(SECRET);
  });

  it.each([0o600, 0o400])("loads a file with mode %o", (mode) => {
    const path = join(dir, `ok-${mode}`);
    writeFileSync(path, `{"accessKeyId":"AKIA1","secretAccessKey":"${SECRET}"}`);
    chmodSync(path, mode);
    expect(loadCredentials(path).accessKeyId).toBe("AKIA1");
  });

  it.each([0o640, 0o644, 0o604, 0o660])("refuses a file with mode %o (group or others can read)", (mode) => {
    const path = join(dir, `bad-${mode}`);
    writeFileSync(path, `{"accessKeyId":"AKIA1","secretAccessKey":"${SECRET}"}`);
    chmodSync(path, mode);
    expect(() => loadCredentials(path)).toThrow(
      new RegExp(`refusing credentials readable by group or others \\(mode ${mode.toString(8)}\\)`),
    );
  });

  it("names a missing file", () => {
    expect(() => loadCredentials(join(dir, "nope"))).toThrow(/nope: cannot read \(ENOENT\)/);
  });
});
