import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

function state(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

const pause = () => new Promise((r) => setTimeout(r, 20));

/**
 * A process that was SIGKILLed but is not reaped (a zombie): its parent (`sleep`, after `exec`) never
 * waits for it, like a supervisor slow to collect a killed daemon. The kill waits for that `exec`: the
 * shell before it may still reap a child that dies (seen once in a few hundred runs). Returns its pid
 * and the start time it had while alive (`/proc/{pid}/stat` field 22, still readable); `onCleanup` gets
 * the parent's kill.
 */
export async function zombie(onCleanup: (fn: () => void) => void): Promise<{ pid: number; started: string }> {
  const parent = spawn("sh", ["-c", "sleep 600 & echo $!; exec sleep 600"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  onCleanup(() => parent.kill("SIGKILL"));
  const pid = await new Promise<number>((resolve) =>
    parent.stdout?.once("data", (b: Buffer) => resolve(Number.parseInt(b.toString(), 10))),
  );
  for (let i = 0; i < 250 && comm(parent.pid ?? 0) !== "sleep"; i++) await pause();
  if (comm(parent.pid ?? 0) !== "sleep") throw new Error(`shell ${parent.pid} did not exec sleep`);
  const started = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[19] ?? "";
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 250 && state(pid) !== "Z"; i++) await pause();
  if (state(pid) !== "Z") throw new Error(`process ${pid} did not become a zombie`);
  return { pid, started };
}
