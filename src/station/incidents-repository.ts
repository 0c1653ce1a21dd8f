import { type Queryable, toIsoOrNull, toStringOrNull } from "./db.js";

/** Incidents (one per car event) and which body-cam clips belong to them. */
export type LinkKind = "event-id" | "time";

export interface IncidentLink {
  incidentId: string;
  clipId: string;
  link: LinkKind;
  linkedAt: string | null;
  unlinkedAt: string | null;
  unlinkedBy: string | null;
}

export class IncidentsRepository {
  constructor(private readonly db: Queryable) {}

  async caseNumber(incidentId: string): Promise<string | null | undefined> {
    const rows = await this.db.query("SELECT case_number FROM incidents WHERE id = $1", [incidentId]);
    return rows[0] ? toStringOrNull(rows[0].case_number) : undefined;
  }

  /** Set (or clear) the case number; false when there is no such incident. */
  async setCaseNumber(incidentId: string, caseNumber: string | null): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE incidents SET case_number = $2, updated_at = now() WHERE id = $1 RETURNING id",
      [incidentId, caseNumber],
    );
    return rows.length > 0;
  }

  /**
   * Link a clip. An event-id link replaces a time link; a time link never replaces anything and is
   * never re-made after a user unlinked it.
   */
  async link(incidentId: string, clipId: string, link: LinkKind): Promise<void> {
    if (link === "event-id") {
      await this.db.query(
        `INSERT INTO incident_clips (incident_id, clip_id, link) VALUES ($1, $2, 'event-id')
         ON CONFLICT (incident_id, clip_id) DO UPDATE SET link = 'event-id', unlinked_at = NULL, unlinked_by = NULL`,
        [incidentId, clipId],
      );
    } else {
      await this.db.query(
        `INSERT INTO incident_clips (incident_id, clip_id, link) VALUES ($1, $2, 'time')
         ON CONFLICT (incident_id, clip_id) DO NOTHING`,
        [incidentId, clipId],
      );
    }
  }

  /** Drop the live time links of a clip (it now carries an event id). */
  async dropTimeLinks(clipId: string): Promise<void> {
    await this.db.query(
      "DELETE FROM incident_clips WHERE clip_id = $1 AND link = 'time' AND unlinked_at IS NULL",
      [clipId],
    );
  }

  /** Unlink a time link; returns what was there (null: no such link). */
  async unlink(incidentId: string, clipId: string, by: string): Promise<IncidentLink | null> {
    const existing = await this.linksOf(incidentId);
    const found = existing.find((l) => l.clipId === clipId);
    if (!found) return null;
    if (found.link !== "time" || found.unlinkedAt) return found;
    await this.db.query(
      "UPDATE incident_clips SET unlinked_at = now(), unlinked_by = $3 WHERE incident_id = $1 AND clip_id = $2",
      [incidentId, clipId, by],
    );
    return found;
  }

  async linksOf(incidentId: string): Promise<IncidentLink[]> {
    const rows = await this.db.query(
      "SELECT * FROM incident_clips WHERE incident_id = $1 ORDER BY linked_at, clip_id",
      [incidentId],
    );
    return rows.map((r) => ({
      incidentId: String(r.incident_id),
      clipId: String(r.clip_id),
      link: r.link === "event-id" ? "event-id" : "time",
      linkedAt: toIsoOrNull(r.linked_at),
      unlinkedAt: toIsoOrNull(r.unlinked_at),
      unlinkedBy: toStringOrNull(r.unlinked_by),
    }));
  }
}
