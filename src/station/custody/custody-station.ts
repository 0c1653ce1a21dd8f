import { type Clock, systemClock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { loadCredentials } from "../../evidence/s3-credentials.js";
import type { SignInResult } from "../auth-service.js";
import type { StationFile } from "../config.js";
import type { Db, Queryable } from "../db.js";
import type { Router } from "../http-router.js";
import type { ObjectStore } from "../object-store.js";
import { type CustodyConfig, custodyConfigSchema } from "./custody-config.js";
import { CustodyRepository } from "./custody-repository.js";
import {
  type CustodyServices,
  incidentChangeAuditor,
  mediaReadAuditor,
  registerCustody,
} from "./custody-routes.js";
import { CustodyService, type CustodyStore, type ObjectRemover } from "./custody-service.js";
import { ExportService } from "./export-service.js";
import { openFsRemover, openS3Remover } from "./object-remover.js";
import { ReportRepository } from "./report-repository.js";
import { retentionShortenedForHeld, rulesFromConfig } from "./retention-rules.js";
import { ShareLinks } from "./share-links.js";
import { StationAuditLog } from "./station-audit.js";
import { loadOrCreateStationKey, type PublicStationKey } from "./station-key.js";

type SignInRefusal = Extract<SignInResult, { ok: false }>;

/**
 * Custody inside `camsync station`: built from the validated config by the station's composition
 * root. Owns the station key (generated on first start), the audit chain, the services and routes,
 * and the retention sweep timer (every process sweeps; the database makes each action happen once).
 */
export class Custody {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  private constructor(
    readonly services: CustodyServices,
    private readonly remover: ObjectRemover & { close(): void },
    private readonly log: Logger,
    private readonly sweepMs: number,
  ) {}

  static async open(
    file: StationFile,
    db: Db,
    store: ObjectStore,
    log: Logger,
    clock: Clock = systemClock,
  ): Promise<Custody> {
    const c = file.station;
    const refused = await checkCustodyAgainstIndex(db, c.custody);
    if (refused.length > 0) throw new CustodyConfigRefused(refused);
    await new CustodyRepository(db).setAppliedConfig(c.custody, new Date(clock.now()).toISOString());
    const key = loadOrCreateStationKey(c.dataDir);
    const s3 = c.storage.s3;
    const remover = s3
      ? await openS3Remover({
          endpoint: s3.endpoint,
          region: s3.region,
          bucket: s3.bucket,
          forcePathStyle: s3.forcePathStyle,
          credentials: s3.credentialsFile ? loadCredentials(s3.credentialsFile) : undefined,
        })
      : openFsRemover(c.storage.path ?? "");
    const audit = new StationAuditLog(db, clock, c.dataDir);
    const custodyStore: CustodyStore = {
      list: (prefix, after, max) => store.list(prefix, after, max),
      get: (k) => store.get(k),
      delete: (k) => remover.delete(k),
    };
    const services: CustodyServices = {
      custody: new CustodyService(db, audit, rulesFromConfig(c.custody), custodyStore, clock),
      exports: new ExportService(db, audit, store, key, clock),
      shares: new ShareLinks(db, audit, clock, c.custody.shareLinkMaxHours),
      reports: new ReportRepository(db),
      audit,
      storage: store,
      key,
      clock,
    };
    log.info({ fingerprint: key.fingerprint }, "custody: station signing key (Ed25519) loaded");
    await audit.syncMirror();
    return new Custody(
      services,
      remover,
      log.child({ component: "custody" }),
      c.custody.sweepIntervalMinutes * 60_000,
    );
  }

  /** The signing key's public half, for the web UI to show. */
  get publicKey(): PublicStationKey {
    return { publicPem: this.services.key.publicPem, fingerprint: this.services.key.fingerprint };
  }

  register(router: Router): void {
    registerCustody(router, this.services);
  }

  /** For the media routes: every read from byte 0 is a `viewed` entry. */
  readonly onMediaRead = (user: string, kind: "events" | "clips", id: string, file: string) =>
    mediaReadAuditor(this.services.audit)(user, kind, id, file);

  /** For the incident routes: case numbers and unlinked clips are audited. */
  readonly onIncidentChange = (
    user: string,
    type: string,
    incidentId: string,
    data: Record<string, unknown>,
  ) => incidentChangeAuditor(this.services.audit)(user, type, incidentId, data);

  /**
   * For sign-in: a wrong password for an account is `signin-failed`; the one that locks it is
   * `account-locked` (attempts while it is locked are refused unhashed and not audited one by one, so
   * an account adds at most SIGNIN_FAILURE_LIMIT entries per lock period).
   */
  readonly onSignInRefused = async (account: string, refusal: SignInRefusal): Promise<void> => {
    if (refusal.reason === "locked") return;
    await this.services.audit.append(refusal.lockedUntil ? "account-locked" : "signin-failed", {
      user: account,
      subject: { kind: "account", id: account },
      failures: refusal.failures,
      ...(refusal.lockedUntil ? { lockedUntil: refusal.lockedUntil } : {}),
    });
  };

  /** An administrator released a locked account. */
  readonly onAccountUnlocked = async (admin: string, account: string): Promise<void> => {
    await this.services.audit.append("account-unlocked", {
      user: admin,
      subject: { kind: "account", id: account },
    });
  };

  /** Run one sweep now and then every `sweepIntervalMinutes`. */
  start(): void {
    const run = () => {
      this.sweeping = this.sweepOnce();
    };
    run();
    this.timer = setInterval(run, this.sweepMs);
    this.timer.unref();
  }

  private async sweepOnce(): Promise<void> {
    try {
      await this.services.shares.flushRefusals();
      const r = await this.services.custody.sweep();
      if (r.enqueued.length + r.dequeued.length + r.deleted.length + r.failed.length > 0)
        this.log.info(
          {
            enqueued: r.enqueued.length,
            dequeued: r.dequeued.length,
            deleted: r.deleted.length,
            failed: r.failed,
          },
          "custody: retention sweep",
        );
      const mirror = this.services.audit.mirrorProblem();
      if (mirror)
        this.log.error({ problem: mirror }, "custody: audit.jsonl mirror is behind the database chain");
    } catch (err) {
      this.log.error({ err: String(err) }, "custody: retention sweep failed; retried at the next interval");
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.services.shares
      .flushRefusals()
      .catch((err: unknown) => this.log.error({ err: String(err) }, "custody: refusal summary not audited"));
    this.remover.close();
  }
}

export class CustodyConfigRefused extends Error {
  override name = "CustodyConfigRefused";
  constructor(readonly problems: string[]) {
    super(
      `custody config refused: it would shorten the retention of items under legal hold:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
}

/**
 * Check a custody config against the index: compared with the config the station last ran with, it
 * may not shorten the retention of any item under legal hold. One problem per such item. Used when
 * the station starts (it refuses such a config) and by the station's config check.
 */
export async function checkCustodyAgainstIndex(db: Queryable, next: CustodyConfig): Promise<string[]> {
  const repo = new CustodyRepository(db);
  const applied = custodyConfigSchema.safeParse(await repo.appliedConfig());
  if (!applied.success) return [];
  const held = await repo.heldItems();
  return retentionShortenedForHeld(
    held.map((h) => ({ id: `${h.kind} ${h.id}`, recordedAt: h.recordedAt, categories: h.categories })),
    rulesFromConfig(applied.data),
    rulesFromConfig(next),
  );
}
