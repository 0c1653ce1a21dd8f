import { join } from "node:path";
import type { EventUploaded } from "../core/event-bus.js";
import { MANIFEST_FILE } from "./manifest-file.js";
import { readUploadState } from "./upload-state.js";

/**
 * What the car tells the station once an event's current manifest is on the storage server, verified:
 * read from the event's upload state (`.offload.json`), so it names exactly the object that was
 * verified. Null when the manifest's upload is not verified (nothing is announced then).
 */
export function eventUploaded(o: {
  dataDir: string;
  eventId: string;
  bucket: string;
  prefix: string;
  at: number;
}): EventUploaded | null {
  const manifest = readUploadState(join(o.dataDir, "events", o.eventId)).objects[MANIFEST_FILE];
  if (!manifest?.verified) return null;
  return {
    eventId: o.eventId,
    bucket: o.bucket,
    key: manifest.key.slice(0, -MANIFEST_FILE.length),
    prefix: o.prefix,
    manifestKey: manifest.key,
    manifestSha256: manifest.sha256,
    at: o.at,
  };
}
