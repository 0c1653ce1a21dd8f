import { spawn } from "node:child_process";
import type { Clock } from "../core/clock.js";
import { guardUntilExit } from "../core/parent-death.js";

/** The part of a child process the libgpiod backend uses; node's ChildProcess fits, tests pass a fake. */
export interface ToolProcess {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  once(event: "close", listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: "error", listener: (err: Error) => void): unknown;
  kill(signal?: NodeJS.Signals): boolean;
}

export type SpawnTool = (command: string, args: string[]) => ToolProcess;

/** Each tool (gpiomon above all: it holds the line) dies with this process (`core/parent-death.ts`). */
export const spawnTool: SpawnTool = (command, args) =>
  guardUntilExit(
    spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } }),
  );

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Keep the tail of a process's stderr for error messages. */
export function tail(text: string, max = 300): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/**
 * Run a short-lived tool (gpioget, gpiodetect, `gpiomon --version`) to completion.
 * Rejects when it cannot be started, exits non-zero, or outlives `timeoutMs`.
 */
export function runTool(
  run: SpawnTool,
  clock: Clock,
  command: string,
  args: string[],
  timeoutMs = 5000,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let done = false;
    let child: ToolProcess;
    const label = [command, ...args].join(" ");
    try {
      child = run(command, args);
    } catch (err) {
      reject(new Error(`${label}: ${(err as Error).message}`));
      return;
    }
    const timer = clock.setTimeout(() => {
      if (done) return;
      done = true;
      child.kill("SIGKILL");
      reject(new Error(`${label}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on("data", (chunk: Buffer | string) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer | string) => {
      stderr += chunk.toString();
    });
    child.once("error", (err) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      reject(new Error(`${label}: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      if (code === 0) resolve({ code, signal, stdout, stderr });
      else reject(new Error(`${label} failed (${signal ?? `exit ${code}`}): ${tail(stderr) || "no output"}`));
    });
  });
}
