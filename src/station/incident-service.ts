import { ClipsRepository } from "./clips-repository.js";
import type { Queryable } from "./db.js";
import { type EventDetail, type EventSummary, EventsRepository } from "./events-repository.js";
import { IncidentsRepository } from "./incidents-repository.js";

/**
 * An incident as the API shows it: the car's event, each camera file and every linked body-cam clip
 * placed on the station's one time axis (each device's clock offset removed).
 */
export interface IncidentFile {
  camera: string;
  file: string;
  url: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
  part: number;
  /** When the file's first frame was recorded, on the station's time axis. */
  startedAt: string;
}

export interface IncidentClip {
  clipId: string;
  camId: string;
  officer: string | null;
  link: "event-id" | "time";
  startedAt: string;
  endedAt: string;
  clockOffsetMs: number;
  alignedStart: string;
  alignedEnd: string;
  files: { file: string; url: string; sha256: string; bytes: number; durationSeconds: number }[];
}

export interface Incident {
  event: Omit<EventDetail, "manifest" | "keyPrefix"> & {
    timeline: unknown[];
    gpsTrack: unknown[];
    signals: unknown[];
    bodycamsCommanded: unknown[];
  };
  files: IncidentFile[];
  clips: IncidentClip[];
  unlinkedClips: {
    clipId: string;
    camId: string | null;
    unlinkedBy: string | null;
    unlinkedAt: string | null;
  }[];
  caseNumber: string | null;
}

export class NotFoundError extends Error {
  override name = "NotFoundError";
}
export class ConflictError extends Error {
  override name = "ConflictError";
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const mediaPath = (kind: "events" | "clips", id: string, file: string) =>
  `/media/${kind}/${encodeURIComponent(id)}/${encodeURIComponent(file)}`;

export class IncidentService {
  private readonly events: EventsRepository;
  private readonly clips: ClipsRepository;
  private readonly incidents: IncidentsRepository;

  constructor(db: Queryable) {
    this.events = new EventsRepository(db);
    this.clips = new ClipsRepository(db);
    this.incidents = new IncidentsRepository(db);
  }

  async get(eventId: string): Promise<Incident> {
    const e = await this.events.get(eventId);
    if (!e) throw new NotFoundError(`no incident ${eventId}`);
    const { manifest, keyPrefix: _k, ...event } = e;
    // A camera's files follow each other: part 1 starts at the event start minus the pre-event footage.
    const origin = Date.parse(e.startedAt) - e.preEventSeconds * 1000 - e.clockOffsetMs;
    const offsets = new Map<string, number>();
    const files: IncidentFile[] = (await this.events.files(eventId)).map((f) => {
      const at = offsets.get(f.camera) ?? origin;
      offsets.set(f.camera, at + f.durationSeconds * 1000);
      return {
        camera: f.camera,
        file: f.file,
        url: mediaPath("events", eventId, f.file),
        sha256: f.sha256,
        bytes: f.bytes,
        durationSeconds: f.durationSeconds,
        part: f.part,
        startedAt: new Date(at).toISOString(),
      };
    });
    const links = await this.incidents.linksOf(eventId);
    const clips: IncidentClip[] = [];
    const unlinkedClips: Incident["unlinkedClips"] = [];
    for (const l of links) {
      const c = await this.clips.get(l.clipId);
      if (l.unlinkedAt) {
        unlinkedClips.push({
          clipId: l.clipId,
          camId: c?.camId ?? null,
          unlinkedBy: l.unlinkedBy,
          unlinkedAt: l.unlinkedAt,
        });
        continue;
      }
      if (!c) continue; // event-id link made by a clip that is no longer indexed
      clips.push({
        clipId: c.clipId,
        camId: c.camId,
        officer: c.officer,
        link: l.link,
        startedAt: c.startedAt,
        endedAt: c.endedAt,
        clockOffsetMs: c.clockOffsetMs,
        alignedStart: c.alignedStart,
        alignedEnd: c.alignedEnd,
        files: (await this.clips.files(c.clipId)).map((f) => ({
          file: f.file,
          url: mediaPath("clips", c.clipId, f.file),
          sha256: f.sha256,
          bytes: f.bytes,
          durationSeconds: f.durationSeconds,
        })),
      });
    }
    clips.sort((a, b) => a.alignedStart.localeCompare(b.alignedStart) || a.clipId.localeCompare(b.clipId));
    return {
      event: {
        ...event,
        timeline: list(manifest.timeline),
        gpsTrack: list(manifest.gpsTrack),
        signals: list(manifest.signals),
        bodycamsCommanded: list(manifest.bodycams),
      },
      files,
      clips,
      unlinkedClips,
      caseNumber: e.caseNumber,
    };
  }

  async setCaseNumber(eventId: string, caseNumber: string | null): Promise<Incident> {
    if (!(await this.incidents.setCaseNumber(eventId, caseNumber)))
      throw new NotFoundError(`no incident ${eventId}`);
    return this.get(eventId);
  }

  /** Unlink a clip joined by time; an eventId link is the clip's own claim and cannot be undone here. */
  async unlinkClip(eventId: string, clipId: string, by: string): Promise<void> {
    const link = await this.incidents.unlink(eventId, clipId, by);
    if (!link) throw new NotFoundError(`clip ${clipId} is not linked to ${eventId}`);
    if (link.link === "event-id")
      throw new ConflictError(
        `clip ${clipId} carries event id ${eventId}; only links made by time can be undone`,
      );
  }

  /** Where a file of an event or clip is stored (null when it is not indexed). */
  async objectOf(
    kind: "events" | "clips",
    id: string,
    file: string,
  ): Promise<{ key: string; bytes: number } | null> {
    const files = kind === "events" ? await this.events.files(id) : await this.clips.files(id);
    const f = files.find((x) => x.file === file);
    return f ? { key: f.objectKey, bytes: f.bytes } : null;
  }

  listClips(filter: Parameters<ClipsRepository["list"]>[0]) {
    return this.clips.list(filter);
  }
}

export type { EventSummary };
