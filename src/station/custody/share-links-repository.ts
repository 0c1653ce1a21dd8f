import { type Queryable, type Row, toIso, toIsoOrNull, toStringOrNull } from "../db.js";

/** Share links: only the SHA-256 of a token is stored, never the token. */
export interface ShareLink {
  id: string;
  incidentId: string;
  recipient: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

const linkFrom = (r: Row): ShareLink => ({
  id: String(r.id),
  incidentId: String(r.incident_id),
  recipient: String(r.recipient),
  createdBy: String(r.created_by),
  createdAt: toIso(r.created_at),
  expiresAt: toIso(r.expires_at),
  revokedAt: toIsoOrNull(r.revoked_at),
  revokedBy: toStringOrNull(r.revoked_by),
});

export class ShareLinksRepository {
  constructor(private readonly db: Queryable) {}

  async create(link: Omit<ShareLink, "revokedAt" | "revokedBy">, tokenSha256: string): Promise<void> {
    await this.db.query(
      `INSERT INTO share_links (id, token_sha256, incident_id, recipient, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [link.id, tokenSha256, link.incidentId, link.recipient, link.createdBy, link.createdAt, link.expiresAt],
    );
  }

  async byTokenHash(tokenSha256: string): Promise<ShareLink | null> {
    const rows = await this.db.query("SELECT * FROM share_links WHERE token_sha256 = $1", [tokenSha256]);
    return rows[0] ? linkFrom(rows[0]) : null;
  }

  async revoke(id: string, by: string, at: string): Promise<ShareLink | null> {
    const rows = await this.db.query(
      "UPDATE share_links SET revoked_at = $3, revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING *",
      [id, by, at],
    );
    return rows[0] ? linkFrom(rows[0]) : null;
  }

  async forIncident(incidentId: string): Promise<ShareLink[]> {
    const rows = await this.db.query("SELECT * FROM share_links WHERE incident_id = $1 ORDER BY created_at", [
      incidentId,
    ]);
    return rows.map(linkFrom);
  }
}
