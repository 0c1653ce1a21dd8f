import type { ServerResponse } from "node:http";
import { z } from "zod";
import { type Clock, isoTime } from "../../core/clock.js";
import { HttpError, type RequestContext, type Router, readJson, sendJson } from "../http-router.js";
import { reportPage, type SharedFile, sharePage } from "./custody-pages.js";
import type { ItemKind } from "./custody-repository.js";
import { CustodyError, type CustodyService } from "./custody-service.js";
import type { ExportService, ObjectSource } from "./export-service.js";
import { buildReport, reportCsv } from "./officer-report.js";
import type { ReportRepository } from "./report-repository.js";
import { ShareDenied, type ShareLinks } from "./share-links.js";
import type { StationAuditLog } from "./station-audit.js";
import type { StationKey } from "./station-key.js";

/**
 * Custody's HTTP routes on the station's router (docs/station.md, "Custody API"): JSON like the
 * Station API; the report and a share link's page are plain server-rendered HTML. Share routes need
 * no session: the token is the credential, checked against the database on every request.
 */
export interface CustodyServices {
  custody: CustodyService;
  exports: ExportService;
  shares: ShareLinks;
  reports: ReportRepository;
  audit: StationAuditLog;
  storage: ObjectSource;
  key: StationKey;
  clock: Clock;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HttpError(
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  return r.data;
}

const html = (res: ServerResponse, body: string) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
};

const kindParam = (s: string | undefined): ItemKind => {
  if (s === "events") return "event";
  if (s === "clips") return "bodycam-clip";
  throw new HttpError(404, "not found");
};

/** Custody errors keep their status on the way out (400 bad input, 404 unknown, 409 not now). */
const guard =
  (handler: (ctx: RequestContext & { userName: string }) => Promise<void>) =>
  async (ctx: RequestContext): Promise<void> => {
    try {
      await handler({ ...ctx, userName: ctx.user?.name ?? "" });
    } catch (err) {
      if (err instanceof CustodyError) throw new HttpError(err.status, err.message);
      throw err;
    }
  };

const holdBody = z.strictObject({
  scope: z.enum(["incident", "case"]),
  target: z.string().min(1).max(200),
  reason: z.string().min(1).max(2000),
});
const reasonBody = z.strictObject({ reason: z.string().min(1).max(2000) });
const categoriesBody = z.strictObject({ categories: z.array(z.string().max(48)).max(20) });
const clipBody = z.strictObject({
  itemId: z.string(),
  file: z.string(),
  fromSeconds: z.number().min(0),
  toSeconds: z.number().positive(),
});
const exportBody = z.union([
  z.strictObject({ incident: z.string().min(1), clip: clipBody.optional() }),
  z.strictObject({ caseNumber: z.string().min(1), clip: clipBody.optional() }),
]);
const shareBody = z.strictObject({
  incident: z.string().min(1),
  recipient: z.string().min(1).max(200),
  hours: z.number().positive(),
});

/** The files of a shared incident, with their links under the share URL. */
async function sharedFiles(s: CustodyServices, token: string, incidentId: string) {
  const { items } = await s.exports.items({ kind: "incident", id: incidentId });
  return items.flatMap((i) =>
    i.files.flatMap((f): (SharedFile & { key: string })[] =>
      f.sha256 === null || f.file.includes("/")
        ? []
        : [
            {
              kind: i.kind,
              id: i.id,
              file: f.file,
              sha256: f.sha256,
              bytes: f.bytes,
              key: f.objectKey,
              href: `/share/${token}/${i.kind === "event" ? "events" : "clips"}/${encodeURIComponent(i.id)}/${encodeURIComponent(f.file)}`,
            },
          ],
    ),
  );
}

async function useShare(s: CustodyServices, res: ServerResponse, token: string, what: string) {
  try {
    return await s.shares.use(token, what);
  } catch (err) {
    if (!(err instanceof ShareDenied)) throw err;
    res.writeHead(err.status, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      ...(err.retryAfterSeconds ? { "retry-after": String(err.retryAfterSeconds) } : {}),
    });
    res.end(
      err.status === 429
        ? "Too many invalid share links from here; try again later.\n"
        : `This link is not valid (${err.reason}).\n`,
    );
    return null;
  }
}

function registerShares(router: Router, s: CustodyServices): void {
  router.add("GET", "/share/:token", null, async ({ res, params }) => {
    const token = params.token ?? "";
    const link = await useShare(s, res, token, "page");
    if (link) html(res, sharePage(link, await sharedFiles(s, token, link.incidentId)));
  });
  router.add("GET", "/share/:token/:kind/:id/:file", null, async ({ res, params }) => {
    const token = params.token ?? "";
    const kind = kindParam(params.kind);
    const what = `${params.kind}/${params.id}/${params.file}`;
    const link = await useShare(s, res, token, what);
    if (!link) return;
    const f = (await sharedFiles(s, token, link.incidentId)).find(
      (x) => x.kind === kind && x.id === params.id && x.file === params.file,
    );
    if (!f) throw new HttpError(404, "not part of this shared incident");
    const obj = await s.storage.get(f.key);
    res.writeHead(200, {
      "content-type": f.file.endsWith(".mp4") ? "video/mp4" : "application/octet-stream",
      "content-length": String(f.bytes),
      "content-disposition": `attachment; filename="${f.file.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "x-content-sha256": f.sha256,
      "cache-control": "no-store",
    });
    obj.stream.pipe(res);
    await new Promise<void>((resolve) => res.once("close", resolve));
  });
  router.add(
    "POST",
    "/api/custody/shares",
    "supervisor",
    guard(async ({ req, res, userName }) => {
      const b = parse(shareBody, await readJson(req));
      const { link, token } = await s.shares.create(userName, b.incident, b.recipient, b.hours);
      sendJson(res, 201, { ...link, url: `/share/${token}` });
    }),
  );
  router.add(
    "DELETE",
    "/api/custody/shares/:id",
    "supervisor",
    guard(async ({ res, params, userName }) =>
      sendJson(res, 200, await s.shares.revoke(userName, params.id ?? "")),
    ),
  );
  router.add(
    "GET",
    "/api/custody/shares",
    "supervisor",
    guard(async ({ res, url }) => {
      const incident = url.searchParams.get("incident");
      if (!incident) throw new HttpError(400, "incident: required");
      sendJson(res, 200, { items: await s.shares.list(incident) });
    }),
  );
}

function registerReport(router: Router, s: CustodyServices): void {
  const report = (csv: boolean) =>
    guard(async ({ res, url }) => {
      const to = url.searchParams.get("to") ?? isoTime(s.clock.now());
      const from = url.searchParams.get("from") ?? isoTime(Date.parse(to) - 30 * 86_400_000);
      if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)))
        throw new HttpError(400, "from/to: expected ISO times");
      const rows = buildReport(
        await s.reports.events(from, to),
        await s.reports.pendingUploads(),
        s.clock.now(),
      );
      if (!csv) {
        const href = `/custody/report.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
        return html(res, reportPage(rows, from, to, href));
      }
      res.writeHead(200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="accountability-${from.slice(0, 10)}-${to.slice(0, 10)}.csv"`,
        "cache-control": "no-store",
      });
      res.end(reportCsv(rows));
    });
  router.add("GET", "/custody/report", "supervisor", report(false));
  router.add("GET", "/custody/report.csv", "supervisor", report(true));
}

export function registerCustody(router: Router, s: CustodyServices): void {
  registerShares(router, s);
  registerReport(router, s);
  router.add("GET", "/api/custody/station-key", "viewer", ({ res }) =>
    sendJson(res, 200, { publicKeyPem: s.key.publicPem, fingerprint: s.key.fingerprint }),
  );
  const ref = (params: Record<string, string>) => ({ kind: kindParam(params.kind), id: params.id ?? "" });
  router.add(
    "GET",
    "/api/custody/items/:kind/:id",
    "viewer",
    guard(async ({ res, params }) => sendJson(res, 200, await s.custody.state(ref(params)))),
  );
  router.add(
    "PUT",
    "/api/custody/items/:kind/:id/categories",
    "viewer",
    guard(async ({ req, res, params, userName }) => {
      const b = parse(categoriesBody, await readJson(req));
      sendJson(res, 200, { categories: await s.custody.setCategories(userName, ref(params), b.categories) });
    }),
  );
  router.add(
    "POST",
    "/api/custody/items/:kind/:id/restore",
    "supervisor",
    guard(async ({ req, res, params, userName }) => {
      const b = parse(reasonBody, await readJson(req));
      sendJson(res, 200, { restoredUntil: await s.custody.restore(userName, ref(params), b.reason) });
    }),
  );
  router.add(
    "GET",
    "/api/custody/holds",
    "supervisor",
    guard(async ({ res, url }) =>
      sendJson(res, 200, { items: await s.custody.holds(url.searchParams.get("all") !== "1") }),
    ),
  );
  router.add(
    "POST",
    "/api/custody/holds",
    "supervisor",
    guard(async ({ req, res, userName }) => {
      const b = parse(holdBody, await readJson(req));
      sendJson(res, 201, await s.custody.placeHold(userName, b.scope, b.target, b.reason));
    }),
  );
  router.add(
    "POST",
    "/api/custody/holds/:id/release",
    "supervisor",
    guard(async ({ req, res, params, userName }) => {
      const b = parse(reasonBody, await readJson(req));
      sendJson(res, 200, await s.custody.releaseHold(userName, Number(params.id), b.reason));
    }),
  );
  router.add(
    "GET",
    "/api/custody/queue",
    "supervisor",
    guard(async ({ res }) => sendJson(res, 200, { items: await s.custody.queue() })),
  );
  router.add(
    "POST",
    "/api/custody/exports",
    "supervisor",
    guard(async ({ req, res, userName }) => {
      const b = parse(exportBody, await readJson(req));
      const scope =
        "incident" in b
          ? { kind: "incident" as const, id: b.incident }
          : { kind: "case" as const, caseNumber: b.caseNumber };
      await s.exports.items(scope); // 404 before the ZIP starts
      const name = ("incident" in b ? b.incident : b.caseNumber).replace(/[^A-Za-z0-9._-]/g, "_");
      res.writeHead(200, {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="export-${name}.zip"`,
        "cache-control": "no-store",
      });
      await s.exports.export(userName, scope, res, b.clip);
    }),
  );
}

/**
 * The station's media routes call this for every read that starts at byte 0 (a play or a download;
 * a player's later range requests of the same file are not separate views): audited as `viewed`.
 */
export function mediaReadAuditor(audit: StationAuditLog) {
  return async (user: string, kind: "events" | "clips", id: string, file: string): Promise<void> => {
    await audit.append("viewed", {
      user,
      subject: { kind: kind === "events" ? "event" : "bodycam-clip", id },
      file,
    });
  };
}

/** For the incident routes: a case number set or a clip unlinked is an audit entry about the incident. */
export function incidentChangeAuditor(audit: StationAuditLog) {
  return async (
    user: string,
    type: string,
    incidentId: string,
    data: Record<string, unknown>,
  ): Promise<void> => {
    await audit.append(type, { user, subject: { kind: "incident", id: incidentId }, ...data });
  };
}
