import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, repoRoot } from "../support/cli.js";

/**
 * Every CLI input path (issue 11, classes to sweep): a directory where a file is expected, a file
 * where a directory is expected, /dev/zero (endless), a FIFO nobody writes (blocks open/read),
 * a binary file, a missing path. Each must end in a clear error on stderr naming the path and exit 1,
 * within seconds: never a hang, never a stack trace.
 */
const dir = mkdtempSync(join(tmpdir(), "camsync-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const aDir = join(dir, "a-directory");
mkdirSync(aDir);
const aFile = join(dir, "a-file.txt");
writeFileSync(aFile, "just text\n");
const binary = join(dir, "binary.bin");
writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0xff, 0xfe, 0x0a, 0x00, 0x9c]));
const fifo = join(dir, "a-fifo");
const haveFifo = spawnSync("mkfifo", [fifo]).status === 0;
const missing = join(dir, "no-such-thing");
const goodDbc = join(dir, "ok.dbc");
writeFileSync(
  goodDbc,
  'VERSION ""\n\nBU_: ECU\n\nBO_ 100 Speed: 8 ECU\n SG_ Kmh : 0|16@1+ (0.01,0) [0|655.35] "km/h" ECU\n',
);
const goodConfig = join(dir, "ok.yaml");
writeFileSync(goodConfig, "vehicle: { id: t1 }\ndataDir: data\n");
const goodLog = join(dir, "ok.log");
writeFileSync(goodLog, "(1.000000) can0 064#1027000000000000\n");

type Kind = "directory" | "/dev/zero" | "FIFO" | "binary file" | "missing" | "regular file";
const paths: Record<Kind, string> = {
  directory: aDir,
  "/dev/zero": "/dev/zero",
  FIFO: fifo,
  "binary file": binary,
  missing,
  "regular file": aFile,
};

/** [command line with PATH standing for the input, the kinds to try] */
const cases: [string, string[], Kind[]][] = [
  [
    "config check FILE",
    ["config", "check", "PATH"],
    ["directory", "/dev/zero", "FIFO", "binary file", "missing"],
  ],
  [
    "run --config FILE",
    ["run", "--config", "PATH"],
    ["directory", "/dev/zero", "FIFO", "binary file", "missing"],
  ],
  [
    "run --data-dir DIR",
    ["run", "--config", goodConfig, "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO"],
  ],
  [
    "demo --config FILE",
    ["demo", "--no-tty", "--duration", "1", "--config", "PATH"],
    ["directory", "/dev/zero", "FIFO"],
  ],
  ["status --config FILE", ["status", "--config", "PATH"], ["directory", "/dev/zero", "FIFO", "binary file"]],
  [
    "status --data-dir DIR",
    ["status", "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO", "missing"],
  ],
  [
    "trigger start --data-dir DIR",
    ["trigger", "start", "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO"],
  ],
  [
    "officer show --data-dir DIR",
    ["officer", "show", "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO"],
  ],
  [
    "report --data-dir DIR",
    ["report", "--since", "2026-01-01", "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO", "missing"],
  ],
  [
    "event create --data-dir DIR",
    ["event", "create", "--from", "now-1m", "--to", "now", "--config", goodConfig, "--data-dir", "PATH"],
    ["regular file", "/dev/zero", "FIFO", "missing"],
  ],
  ["verify DIR", ["verify", "PATH"], ["regular file", "/dev/zero", "FIFO", "binary file", "missing"]],
  [
    "can decode --dbc FILE",
    ["can", "decode", "--dbc", "PATH", goodLog],
    ["directory", "/dev/zero", "FIFO", "binary file", "missing"],
  ],
  [
    "can decode LOG",
    ["can", "decode", "--dbc", goodDbc, "PATH"],
    ["directory", "/dev/zero", "binary file", "missing"],
  ],
  [
    "can watch --config FILE",
    ["can", "watch", "--seconds", "1", "--config", "PATH"],
    ["directory", "/dev/zero", "FIFO"],
  ],
  [
    "bodycam --ca FILE",
    ["bodycam", "--id", "bc1", "--url", "mqtts://127.0.0.1:1", "--vehicle", "v1", "--ca", "PATH"],
    ["directory", "/dev/zero", "FIFO", "missing"],
  ],
];

describe("CLI input paths: clear error, exit 1, never a hang", () => {
  for (const [name, args, kinds] of cases) {
    for (const kind of kinds) {
      it.skipIf(kind === "FIFO" && !haveFifo)(`${name} with ${kind}`, () => {
        const path = paths[kind];
        const started = Date.now();
        const r = spawnSync(process.execPath, [cliPath, ...args.map((a) => (a === "PATH" ? path : a))], {
          cwd: repoRoot,
          env: { ...process.env, CAMSYNC_CONFIG: missing },
          encoding: "utf8",
          timeout: 20_000,
          input: "",
        });
        expect(r.signal, `hung (killed after ${Date.now() - started} ms); stderr: ${r.stderr}`).toBeNull();
        expect(r.status, `stderr: ${r.stderr}\nstdout: ${r.stdout}`).toBe(1);
        expect(r.stderr).toContain(path);
        expect(r.stderr).not.toMatch(/^\s+at /m);
      });
    }
  }
});
