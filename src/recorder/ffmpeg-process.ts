import { type ChildProcess, spawn } from "node:child_process";
import { redactSecrets } from "../core/logger.js";
import { guardChild, guardUntilExit } from "../core/parent-death.js";

/**
 * The one place that starts ffmpeg and ffprobe processes.
 *
 * Formats are always passed as raw arguments (`-f lavfi`, `-f segment`). fluent-ffmpeg is deliberately not
 * used: it validates every `-f` (even raw ones) against its parse of `ffmpeg -formats`, which ffmpeg ≥ 6.1
 * changed, and it offers nothing a plain argument list does not. ffmpeg is stopped with `q` on stdin (it
 * then closes the current segment cleanly) and only then with signals. A capture is tied to the daemon's
 * life (`core/parent-death.ts`): it gets one SIGINT when the daemon dies.
 */

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running ffmpeg (a camera's capture). */
export interface CaptureProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** The last stderr lines, credentials redacted. */
  stderrTail(): string[];
  /** `q` on stdin, then SIGINT, SIGTERM and SIGKILL, each after `graceMs`. */
  stop(graceMs: number): Promise<ExitInfo>;
}

/** Starts capture processes; tests substitute a fake. */
export type CaptureLauncher = (ffmpegPath: string, args: string[]) => CaptureProcess;

const TAIL_LINES = 100;

/** Keeps the last `max` lines of a text stream, credentials redacted. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly max = TAIL_LINES) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      this.lines.push(redactSecrets(line));
      if (this.lines.length > this.max) this.lines.shift();
    }
  }

  snapshot(): string[] {
    return this.partial.trim() ? [...this.lines, redactSecrets(this.partial)] : [...this.lines];
  }
}

function watchExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (info: ExitInfo) => {
      if (done) return;
      done = true;
      resolve(info);
    };
    // "close", not "exit": by then stderr has been read to the end (the last lines explain the failure).
    child.once("close", (code, signal) => finish({ code, signal }));
    child.once("error", () => finish({ code: 127, signal: null }));
  });
}

export const launchCapture: CaptureLauncher = (ffmpegPath, args) => {
  const child = spawn(ffmpegPath, args, { stdio: ["pipe", "ignore", "pipe"] });
  const guard = child.pid === undefined ? undefined : guardChild(child.pid, { signal: "SIGINT" });
  const tail = new LineTail();
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => tail.push(chunk));
  child.on("error", (err) => tail.push(`spawn failed: ${err.message}\n`));
  child.stdin?.on("error", () => {}); // EPIPE when ffmpeg already exited
  const exited = watchExit(child);
  let exitedNow = false;
  void exited.then(() => {
    exitedNow = true;
    guard?.release();
  });
  const wait = (ms: number) =>
    Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
  return {
    pid: child.pid,
    exited,
    stderrTail: () => tail.snapshot(),
    async stop(graceMs) {
      if (exitedNow) return exited;
      try {
        child.stdin?.end("q");
      } catch {
        // stdin already closed
      }
      for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
        if (await wait(graceMs)) return exited;
        child.kill(signal);
      }
      return exited;
    },
  };
};

export class FfmpegError extends Error {
  override name = "FfmpegError";
  constructor(
    message: string,
    readonly stderr: string[],
  ) {
    super(message);
  }
}

/** A run nobody bounded more tightly is killed after this long (the bound of an event's assembly). */
const TOOL_TIMEOUT_MS = 600_000;

/**
 * Run ffmpeg/ffprobe to completion; resolves with stdout, rejects with FfmpegError (stderr tail attached).
 * Killed after `timeoutMs` (default 10 min), and guarded like a capture: it dies with this process.
 */
export function runTool(path: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = guardUntilExit(spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] }));
    const tail = new LineTail(20);
    const out: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => tail.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? TOOL_TIMEOUT_MS);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new FfmpegError(`${path}: ${err.message}`, tail.snapshot()));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else {
        const lines = tail.snapshot();
        reject(
          new FfmpegError(
            `${path} exited with ${signal ?? `code ${code}`}: ${lines.slice(-3).join(" | ")}`,
            lines,
          ),
        );
      }
    });
  });
}

/** Duration of a media file in seconds (container duration), via ffprobe. */
export async function probeDuration(ffprobePath: string, file: string): Promise<number> {
  const out = await runTool(
    ffprobePath,
    ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file],
    {
      timeoutMs: 30_000,
    },
  );
  const value = Number.parseFloat(out.trim());
  if (!Number.isFinite(value)) throw new FfmpegError(`ffprobe gave no duration for ${file}`, [out]);
  return value;
}

/** Feeds input `index` (0-based) of a streamed concat; resolves when everything has been written. */
export type ConcatFeed = (index: number, write: (chunk: Uint8Array) => Promise<void>) => Promise<void>;

/**
 * Stream-copy `count` inputs, each a byte stream fed through its own pipe (`pipe:3` …), into one MP4 with
 * the index at the front. Nothing but the MP4 is written to disk: no joined copies of the inputs.
 */
export async function concatStreamsToMp4(
  ffmpegPath: string,
  count: number,
  output: string,
  feed: ConcatFeed,
  /** A SubRip file added as the MP4's timed-text (`mov_text`) track, e.g. the event's telemetry. */
  subtitles?: string,
): Promise<void> {
  const inputs = Array.from({ length: count }, (_, i) => `file 'pipe:${i + 3}'`);
  const text = subtitles
    ? [
        ...["-f", "srt", "-i", subtitles, "-map", "0", "-map", "1:s", "-c", "copy", "-c:s", "mov_text"],
        ...["-metadata:s:s:0", "title=camsync telemetry", "-metadata:s:s:0", "language=eng"],
      ]
    : ["-map", "0", "-c", "copy"];
  const child = spawn(
    ffmpegPath,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-protocol_whitelist", "pipe,file"],
      ...["-f", "concat", "-safe", "0", "-i", "pipe:0"],
      ...text,
      ...["-movflags", "+faststart", "-f", "mp4", output],
    ],
    { stdio: ["pipe", "ignore", "pipe", ...inputs.map(() => "pipe" as const)] },
  );
  const tail = new LineTail(20);
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => tail.push(chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", (err) => reject(new FfmpegError(`${ffmpegPath}: ${err.message}`, tail.snapshot())));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve();
      const lines = tail.snapshot();
      reject(
        new FfmpegError(
          `${ffmpegPath} exited with ${signal ?? `code ${code}`}: ${lines.slice(-3).join(" | ")}`,
          lines,
        ),
      );
    });
  });
  const pipes = child.stdio.slice(3) as NodeJS.WritableStream[];
  // A pipe ffmpeg closed (it failed) surfaces as EPIPE in a write callback; never as an uncaught error.
  for (const p of [child.stdin, ...pipes]) p?.on("error", () => {});
  const feeding = (async () => {
    child.stdin?.end(`ffconcat version 1.0\n${inputs.join("\n")}\n`);
    for (const [i, pipe] of pipes.entries()) {
      const write = (chunk: Uint8Array) =>
        new Promise<void>((resolve, reject) => pipe.write(chunk, (err) => (err ? reject(err) : resolve())));
      await feed(i, write);
      await new Promise<void>((resolve) => pipe.end(resolve));
    }
  })().catch((err: unknown) => {
    child.kill("SIGKILL"); // a feed that failed (a segment unreadable) must not leave ffmpeg waiting
    throw err;
  });
  try {
    const [fed, done] = await Promise.allSettled([feeding, exited]);
    // ffmpeg's own failure explains a broken pipe better than the pipe's error does (EPIPE, or a write
    // after Node destroyed the pipe of an exited ffmpeg); any other feed error is ours.
    const code = fed.status === "rejected" ? (fed.reason as NodeJS.ErrnoException).code : undefined;
    const brokenPipe = code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
    if (fed.status === "rejected" && !brokenPipe) throw fed.reason;
    if (done.status === "rejected") throw done.reason;
    if (fed.status === "rejected") throw fed.reason;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Replace a segment's audio with silence (video copied untouched), writing MPEG-TS to `output`. */
export async function muteSegment(ffmpegPath: string, input: string, output: string): Promise<void> {
  await runTool(
    ffmpegPath,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", input],
      ...["-map", "0:v", "-map", "0:a?", "-c:v", "copy", "-c:a", "aac", "-b:a", "64k", "-af", "volume=0"],
      ...["-f", "mpegts", output],
    ],
    { timeoutMs: 60_000 },
  );
}
