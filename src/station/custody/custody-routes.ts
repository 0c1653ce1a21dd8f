import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { Clock } from "../../core/clock.js";
import { isoTime } from "../../core/clock.js";
import { reportPage, type SharedFile, sharePage } from "./custody-pages.js";
import type { ItemKind } from "./custody-repository.js";
import { CustodyError, type CustodyService } from "./custody-service.js";
import type { ExportService, ObjectSource } from "./export-service.js";
import { buildReport, reportCsv } from "./officer-report.js";
import type { ReportRepository } from "./report-repository.js";
import { ShareDenied, type ShareLinks } from "./share-links.js";
import type { StationKey } from "./station-key.js";

/**
 * Custody's HTTP routes, mounted by the station server (it calls `handleCustody` first and falls
 * through when it answers false). JSON in and out like the Station API; the report and a share
 * link's page are plain server-rendered HTML. Roles: viewer < supervisor < admin.
 */
export type Role = "viewer" | "supervisor" | "admin";
const RANK: Record<Role, number> = { viewer: 0, supervisor: 1, admin: 2 };

export interface CustodyContext {
  custody: CustodyService;
  exports: ExportService;
  shares: ShareLinks;
  reports: ReportRepository;
  storage: ObjectSource;
  key: StationKey;
  clock: Clock;
  /** The signed-in user of the request (the station's session cookie), or null. */
  authenticate(req: IncomingMessage): Promise<{ name: string; role: Role } | null>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
};

const html = (res: ServerResponse, body: string) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
};

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, "request body over 64 KiB");
    chunks.push(c as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HttpError(
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  return r.data;
}

const kindParam = (s: string): ItemKind => {
  if (s === "events") return "event";
  if (s === "clips") return "bodycam-clip";
  throw new HttpError(404, "not found");
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

/** Share link routes: no session, the token is the credential (checked against the database each time). */
async function handleShare(res: ServerResponse, ctx: CustodyContext, parts: string[]): Promise<void> {
  const token = parts[1] ?? "";
  const fileRoute = parts[2] === "files" && parts.length >= 6;
  const what = fileRoute ? parts.slice(3).map(decodeURIComponent).join("/") : "page";
  let link: Awaited<ReturnType<ShareLinks["use"]>>;
  try {
    link = await ctx.shares.use(token, what);
  } catch (err) {
    if (err instanceof ShareDenied) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(`This link is not valid (${err.reason}).\n`);
      return;
    }
    throw err;
  }
  const { items } = await ctx.exports.items({ kind: "incident", id: link.incidentId });
  const base = `/share/${token}/files`;
  const files: (SharedFile & { key: string })[] = items.flatMap((i) =>
    i.files
      .filter((f) => f.sha256 !== null)
      .map((f) => ({
        kind: i.kind,
        id: i.id,
        file: f.file,
        sha256: f.sha256 as string,
        bytes: f.bytes,
        key: f.objectKey,
        href: `${base}/${i.kind === "event" ? "events" : "clips"}/${encodeURIComponent(i.id)}/${encodeURIComponent(f.file)}`,
      })),
  );
  if (!fileRoute) return html(res, sharePage(link, files));
  const kind = kindParam(parts[3] as string);
  const id = decodeURIComponent(parts[4] as string);
  const name = parts.slice(5).map(decodeURIComponent).join("/");
  const f = files.find((x) => x.kind === kind && x.id === id && x.file === name);
  if (!f) throw new HttpError(404, "not part of this shared incident");
  const obj = await ctx.storage.get(f.key);
  res.writeHead(200, {
    "content-type": name.endsWith(".mp4") ? "video/mp4" : "application/octet-stream",
    "content-length": String(f.bytes),
    "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
    "x-content-sha256": f.sha256,
    "cache-control": "no-store",
  });
  obj.stream.pipe(res);
  await new Promise<void>((resolve) => res.once("close", resolve));
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: CustodyContext,
  url: URL,
): Promise<boolean> {
  const parts = url.pathname.split("/").filter((p) => p.length > 0);
  if (parts[0] === "share" && req.method === "GET" && parts.length >= 2) {
    await handleShare(res, ctx, parts);
    return true;
  }
  const isApi = parts[0] === "api" && parts[1] === "custody";
  const isPage = parts[0] === "custody";
  if (!isApi && !isPage) return false;
  const user = await ctx.authenticate(req);
  if (!user) throw new HttpError(401, "sign in");
  const need = (role: Role) => {
    if (RANK[user.role] < RANK[role]) throw new HttpError(403, `needs the ${role} role`);
  };
  const m = req.method ?? "GET";
  const p = parts.slice(isApi ? 2 : 1);
  const at = (s: string, i: number) => p[i] === s;
  const send = (status: number, value: unknown) => {
    json(res, status, value);
    return true;
  };

  if ((isPage && at("report", 0)) || (isPage && at("report.csv", 0))) {
    need("supervisor");
    const to = url.searchParams.get("to") ?? isoTime(ctx.clock.now());
    const from = url.searchParams.get("from") ?? isoTime(Date.parse(to) - 30 * 86_400_000);
    if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)))
      throw new HttpError(400, "from/to: expected ISO times");
    const rows = buildReport(
      await ctx.reports.events(from, to),
      await ctx.reports.pendingUploads(),
      ctx.clock.now(),
    );
    if (p[0] === "report.csv") {
      res.writeHead(200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="accountability-${from.slice(0, 10)}-${to.slice(0, 10)}.csv"`,
      });
      res.end(reportCsv(rows));
    } else {
      html(
        res,
        reportPage(
          rows,
          from,
          to,
          `/custody/report.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        ),
      );
    }
    return true;
  }
  if (!isApi) return false;
  if (m === "GET" && at("station-key", 0)) {
    json(res, 200, { publicKeyPem: ctx.key.publicPem, fingerprint: ctx.key.fingerprint });
    return true;
  }
  if (p[0] === "items" && p.length >= 3) {
    const ref = { kind: kindParam(p[1] as string), id: decodeURIComponent(p[2] as string) };
    if (m === "GET" && p.length === 3) return send(200, await ctx.custody.state(ref));
    if (m === "PUT" && at("categories", 3)) {
      const b = await body(req, categoriesBody);
      return send(200, { categories: await ctx.custody.setCategories(user.name, ref, b.categories) });
    }
    if (m === "POST" && at("restore", 3)) {
      need("supervisor");
      const b = await body(req, reasonBody);
      return send(200, { restoredUntil: await ctx.custody.restore(user.name, ref, b.reason) });
    }
  }
  if (p[0] === "holds") {
    need("supervisor");
    if (m === "GET" && p.length === 1)
      return send(200, { items: await ctx.custody.holds(url.searchParams.get("all") !== "1") });
    if (m === "POST" && p.length === 1) {
      const b = await body(req, holdBody);
      return send(201, await ctx.custody.placeHold(user.name, b.scope, b.target, b.reason));
    }
    if (m === "POST" && at("release", 2)) {
      const b = await body(req, reasonBody);
      return send(200, await ctx.custody.releaseHold(user.name, Number(p[1]), b.reason));
    }
  }
  if (m === "GET" && at("queue", 0)) {
    need("supervisor");
    return send(200, { items: await ctx.custody.queue() });
  }
  if (m === "POST" && at("exports", 0)) {
    need("supervisor");
    const b = await body(req, exportBody);
    const scope =
      "incident" in b
        ? { kind: "incident" as const, id: b.incident }
        : { kind: "case" as const, caseNumber: b.caseNumber };
    await ctx.exports.items(scope); // 404 before the ZIP starts
    const name = "incident" in b ? b.incident : b.caseNumber;
    res.writeHead(200, {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="export-${name.replace(/[^A-Za-z0-9._-]/g, "_")}.zip"`,
      "cache-control": "no-store",
    });
    await ctx.exports.export(user.name, scope, res, b.clip);
    return true;
  }
  if (p[0] === "shares") {
    need("supervisor");
    if (m === "POST" && p.length === 1) {
      const b = await body(req, shareBody);
      const { link, token } = await ctx.shares.create(user.name, b.incident, b.recipient, b.hours);
      return send(201, { ...link, url: `/share/${token}` });
    }
    if (m === "DELETE" && p.length === 2)
      return send(200, await ctx.shares.revoke(user.name, decodeURIComponent(p[1] as string)));
    if (m === "GET" && p.length === 1) {
      const incident = url.searchParams.get("incident");
      if (!incident) throw new HttpError(400, "incident: required");
      return send(200, { items: await ctx.shares.list(incident) });
    }
  }
  throw new HttpError(404, "not found");
}

/** Answer a custody request; false when the path is not custody's. */
export async function handleCustody(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: CustodyContext,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://station");
  try {
    return await route(req, res, ctx, url);
  } catch (err) {
    const status = err instanceof HttpError || err instanceof CustodyError ? err.status : 500;
    const message = status === 500 ? "internal error" : (err as Error).message;
    if (res.headersSent) res.destroy(err as Error);
    else json(res, status, { error: message });
    if (status === 500) throw err;
    return true;
  }
}
