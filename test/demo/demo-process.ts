import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliProcess } from "../support/cli.js";

/** A running `camsync demo --no-tty` on free ports and a temporary data dir, started from another directory. */
export interface DemoProcess {
  proc: CliProcess;
  dataDir: string;
  pageUrl: string;
  /** The page's launch link (session: Start / Mark / Stop allowed). */
  pageControlUrl: string;
  brokerUrl: string;
  /** Resolves with the first stdout line matching `re` (from line number `from` on, past or future). */
  line(re: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** How many lines were printed so far (for `line(…, from)`). */
  mark(): number;
  /** Types keys as if on the demo's keyboard. */
  keys(text: string): void;
  /** `q`, then the exit code. */
  quit(): Promise<number | null>;
  cleanup(): Promise<void>;
}

const raw = (l: Record<string, unknown>) => (typeof l.raw === "string" ? l.raw : "");

export async function startDemo(durationSeconds = 120): Promise<DemoProcess> {
  const dir = mkdtempSync(join(tmpdir(), "camsync-demo-"));
  const dataDir = join(dir, "var");
  const proc = new CliProcess(
    [
      "demo",
      "--no-tty",
      "--data-dir",
      dataDir,
      "--mqtt-port",
      "0",
      "--http-port",
      "0",
      "--station-port",
      "0",
      "--duration",
      String(durationSeconds),
    ],
    { cwd: dir },
  );
  const line = async (re: RegExp, timeoutMs = 20_000, from = 0) =>
    raw(
      await proc.waitFor(
        (l) => re.test(raw(l)) && proc.lines.indexOf(l) >= from,
        timeoutMs,
        `a demo line matching ${re}`,
      ),
    );
  const demo: DemoProcess = {
    proc,
    dataDir,
    pageUrl: "",
    pageControlUrl: "",
    brokerUrl: "",
    line,
    mark: () => proc.lines.length,
    keys: (text) => proc.child.stdin?.write(text),
    async quit() {
      proc.child.stdin?.write("q");
      return proc.exited;
    },
    async cleanup() {
      await proc.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    demo.pageUrl = (await line(/^ {2}status page: http:\/\//, 30_000)).split(": ")[1] ?? "";
    demo.pageControlUrl = (await line(/^ {2}page with controls .*: http:\/\//)).split(": ")[1] ?? "";
    demo.brokerUrl = (await line(/^ {2}MQTT broker: mqtt:\/\//)).split(": ")[1] ?? "";
  } catch (err) {
    await demo.cleanup();
    throw err;
  }
  return demo;
}
