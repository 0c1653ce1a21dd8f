import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";

/**
 * Cut a time range out of an MP4 (moov first, as the car writes it) by stream copy: ffmpeg reads the
 * source from a pipe and writes a fragmented MP4 to a pipe, so nothing is stored on disk. The cut
 * starts on the keyframe at or before `fromSeconds` (no re-encoding, so the frames are the originals).
 * A failed ffmpeg fails the stream (and with it the export).
 */
export function cutClip(
  source: Readable,
  fromSeconds: number,
  toSeconds: number,
  ffmpegPath = "ffmpeg",
): Readable {
  if (!(fromSeconds >= 0) || !(toSeconds > fromSeconds)) {
    throw new Error(`clip range ${fromSeconds}–${toSeconds} s: expected 0 ≤ from < to`);
  }
  const out = new PassThrough();
  const ff = spawn(
    ffmpegPath,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error"],
      ...["-ss", String(fromSeconds), "-i", "pipe:0", "-t", String(toSeconds - fromSeconds)],
      ...[
        "-map",
        "0",
        "-c",
        "copy",
        "-movflags",
        "frag_keyframe+empty_moov+default_base_moof",
        "-f",
        "mp4",
        "pipe:1",
      ],
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  ff.stderr.setEncoding("utf8");
  ff.stderr.on("data", (s: string) => {
    stderr = (stderr + s).slice(-2000);
  });
  // ffmpeg stops reading once it has the range: the rest of the source is not needed
  ff.stdin.on("error", () => {});
  source.on("error", (err) => {
    ff.kill("SIGKILL");
    out.destroy(err);
  });
  source.pipe(ff.stdin);
  ff.stdout.pipe(out, { end: false });
  ff.once("error", (err) => out.destroy(err));
  ff.once("close", (code, signal) => {
    source.destroy();
    if (code === 0) out.end();
    else out.destroy(new Error(`ffmpeg clip cut failed (${code ?? signal}): ${stderr.trim()}`));
  });
  out.once("close", () => {
    if (ff.exitCode === null && ff.signalCode === null) ff.kill("SIGKILL");
  });
  return out;
}
