import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { until } from "./recording-bus.js";

/** `/proc/{pid}/{file}`, or undefined once the process is gone. */
function proc(pid: number, file: "stat" | "comm"): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

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
  await until(() => proc(parent.pid ?? 0, "comm")?.trim() === "sleep", `shell ${parent.pid} to exec sleep`);
  const started = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[19] ?? "";
  process.kill(pid, "SIGKILL");
  await until(() => proc(pid, "stat")?.split(") ")[1]?.[0] === "Z", `process ${pid} to become a zombie`);
  return { pid, started };
}
