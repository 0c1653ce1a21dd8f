import { createHash, randomBytes } from "node:crypto";
import { type Clock, isoTime } from "../../core/clock.js";
import type { Db } from "../db.js";
import { CustodyError } from "./custody-service.js";
import { RefusalThrottle } from "./refusal-throttle.js";
import { type ShareLink, ShareLinksRepository } from "./share-links-repository.js";
import type { StationAuditLog } from "./station-audit.js";

/**
 * Share links for a prosecutor: a random token (256 bits, base64url) in a station URL. The station
 * keeps only its SHA-256, checks the database on every use (so a revocation holds at once in every
 * station process), streams the footage itself (never a storage URL), and audits every use and
 * every refusal.
 */
export type ShareRefusal = "forged" | "expired" | "revoked";

export class ShareDenied extends Error {
  override name = "ShareDenied";
  constructor(
    readonly reason: ShareRefusal,
    /** 403; 429 when forged tokens come faster than the audit throttle admits. */
    readonly status: 403 | 429 = 403,
    readonly retryAfterSeconds?: number,
  ) {
    super(`share link ${reason}`);
  }
}

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class ShareLinks {
  private readonly repo: ShareLinksRepository;
  private readonly forged: RefusalThrottle;

  constructor(
    private readonly db: Db,
    private readonly audit: StationAuditLog,
    private readonly clock: Clock,
    private readonly maxHours: number,
  ) {
    this.repo = new ShareLinksRepository(db);
    this.forged = new RefusalThrottle(
      () => clock.now(),
      (summary) =>
        audit
          .append("share-refusals-throttled", { user: "share:unknown", reason: "forged", ...summary })
          .then(() => undefined),
    );
  }

  /** Write the summary of forged-token refusals not audited one by one (sweep and stop call this). */
  flushRefusals(): Promise<void> {
    return this.forged.flush();
  }

  /** Create a link; the token is returned once and never stored. */
  async create(
    user: string,
    incidentId: string,
    recipient: string,
    hours: number,
  ): Promise<{ link: ShareLink; token: string }> {
    if (!recipient.trim()) throw new CustodyError("a share link needs a recipient", 400);
    if (!(hours > 0 && hours <= this.maxHours))
      throw new CustodyError(`a share link lasts more than 0 and at most ${this.maxHours} hours`, 400);
    const incident = await this.db.query("SELECT 1 FROM incidents WHERE id = $1", [incidentId]);
    if (incident.length === 0) throw new CustodyError(`no incident ${incidentId}`, 404);
    const token = randomBytes(32).toString("base64url");
    const now = this.clock.now();
    const link = {
      id: randomBytes(8).toString("hex"),
      incidentId,
      recipient: recipient.trim(),
      createdBy: user,
      createdAt: isoTime(now),
      expiresAt: isoTime(now + hours * 3_600_000),
    };
    await this.db.transaction(async (tx) => {
      await new ShareLinksRepository(tx).create(link, tokenHash(token));
      await this.audit.appendIn(tx, "share-created", {
        user,
        subject: { kind: "incident", id: incidentId },
        shareId: link.id,
        recipient: link.recipient,
        expiresAt: link.expiresAt,
      });
    });
    await this.audit.syncMirror();
    return { link: { ...link, revokedAt: null, revokedBy: null }, token };
  }

  async revoke(user: string, id: string): Promise<ShareLink> {
    const link = await this.db.transaction(async (tx) => {
      const l = await new ShareLinksRepository(tx).revoke(id, user, isoTime(this.clock.now()));
      if (l)
        await this.audit.appendIn(tx, "share-revoked", {
          user,
          subject: { kind: "incident", id: l.incidentId },
          shareId: l.id,
        });
      return l;
    });
    if (!link) throw new CustodyError(`no active share link ${id}`, 404);
    await this.audit.syncMirror();
    return link;
  }

  list(incidentId: string): Promise<ShareLink[]> {
    return this.repo.forIncident(incidentId);
  }

  /**
   * Check a token for one use (`what`: the page or a file) against the database now; the use or the
   * refusal is audited. Throws ShareDenied (403) for a forged, expired or revoked token.
   */
  async use(token: string, what: string): Promise<ShareLink> {
    const hash = tokenHash(token);
    const link = TOKEN_SHAPE.test(token) ? await this.repo.byTokenHash(hash) : null;
    const now = this.clock.now();
    const refusal: ShareRefusal | null = !link
      ? "forged"
      : link.revokedAt !== null
        ? "revoked"
        : now >= Date.parse(link.expiresAt)
          ? "expired"
          : null;
    if (refusal || !link) {
      if (!link && !(await this.forged.admit()))
        throw new ShareDenied("forged", 429, this.forged.retryAfterSeconds());
      await this.audit.append("share-refused", {
        user: link ? `share:${link.id}` : "share:unknown",
        ...(link ? { subject: { kind: "incident" as const, id: link.incidentId }, shareId: link.id } : {}),
        reason: refusal ?? "forged",
        tokenSha256: hash,
        what,
      });
      throw new ShareDenied(refusal ?? "forged");
    }
    await this.audit.append("share-used", {
      user: `share:${link.id}`,
      subject: { kind: "incident", id: link.incidentId },
      shareId: link.id,
      recipient: link.recipient,
      what,
    });
    return link;
  }
}
