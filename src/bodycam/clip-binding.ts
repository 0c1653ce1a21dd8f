import type { ClipManifest } from "./clip-manifest.js";
import type { ClipRecorder } from "./clip-recorder.js";

/** What the binding needs of a body cam (the reference cam's events). */
export interface RecordingSource {
  on(event: "recording", fn: (r: { recording: boolean; eventId: string | null }) => void): unknown;
  on(event: "activation", fn: (a: { at: string }) => void): unknown;
  off(event: "recording", fn: (r: { recording: boolean; eventId: string | null }) => void): unknown;
  off(event: "activation", fn: (a: { at: string }) => void): unknown;
}

/** What the binding needs of a recorder. */
export type ClipSink = Pick<
  ClipRecorder,
  "recording" | "eventId" | "begin" | "end" | "adoptEvent" | "sampleCarClock"
>;

export interface ClipBindingEvents {
  started(clipId: string, eventId: string | null): void;
  finished(manifest: ClipManifest): void;
  failed(err: Error): void;
}

/**
 * Makes a body cam's recording real: a clip starts when the cam starts recording (its own button or a
 * car activation) and ends when it stops; a car event that takes over a running clip's cam (another
 * event id) ends that clip and starts the next. Every car activation is a sample of the car's clock.
 * Start/stop are applied one after the other, in order. Returns a function that detaches and waits.
 */
export function bindClips(
  cam: RecordingSource,
  recorder: ClipSink,
  on: Partial<ClipBindingEvents> = {},
): () => Promise<void> {
  let queue: Promise<void> = Promise.resolve();
  const run = (step: () => Promise<void>) => {
    queue = queue.then(step).catch((err: unknown) => on.failed?.(err as Error));
  };
  const finish = async () => {
    const manifest = await recorder.end();
    if (manifest) on.finished?.(manifest);
  };
  const begin = (eventId: string | null) => {
    const clipId = recorder.begin(eventId);
    on.started?.(clipId, eventId);
  };
  const onRecording = ({ recording, eventId }: { recording: boolean; eventId: string | null }) =>
    run(async () => {
      if (!recording) {
        await finish();
      } else if (!recorder.recording) {
        begin(eventId);
      } else if (eventId !== null && recorder.eventId !== null && recorder.eventId !== eventId) {
        await finish();
        begin(eventId);
      } else if (eventId !== null) {
        recorder.adoptEvent(eventId);
      }
    });
  const onActivation = (a: { at: string }) => recorder.sampleCarClock(a.at);
  cam.on("recording", onRecording);
  cam.on("activation", onActivation);
  return async () => {
    cam.off("recording", onRecording);
    cam.off("activation", onActivation);
    run(finish);
    await queue;
  };
}
