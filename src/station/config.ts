import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { seconds, section } from "../config/describe.js";
import { custodyConfigSchema } from "./custody/custody-config.js";

/**
 * The station's configuration file (`/etc/camsync/station.yaml`), one schema like the daemon's:
 * it validates, types the code and documents every key. Unknown keys are errors.
 */
export const DEFAULT_STATION_CONFIG_PATH = "/etc/camsync/station.yaml";

const s3StorageSchema = z
  .strictObject({
    endpoint: z
      .url()
      .optional()
      .describe("S3 endpoint URL (MinIO, Ceph RGW, s3rver); omit for AWS S3 (region endpoint)."),
    region: z.string().min(1).default("us-east-1").describe("Region (MinIO and Ceph accept us-east-1)."),
    bucket: z.string().min(3).max(63).describe("The evidence bucket cars offload to."),
    prefix: z
      .string()
      .max(200)
      .regex(/^$|^[A-Za-z0-9_./-]*\/$/, "expected empty or ending in '/'")
      .default("")
      .describe("Key prefix the cars use (`evidence.offload.prefix`)."),
    forcePathStyle: z.boolean().default(true).describe("Path-style URLs (MinIO, Ceph RGW, s3rver)."),
    credentialsFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "File with accessKeyId and secretAccessKey (JSON, YAML or INI; mode 0600). Omit to use the AWS default chain (environment, instance role). The station needs List/Get, and Delete for retention (custody).",
      ),
  })
  .describe("S3-compatible object storage.");

export const stationStorageSchema = z
  .strictObject({
    s3: s3StorageSchema.optional(),
    path: z
      .string()
      .min(1)
      .optional()
      .describe("A directory used as the bucket instead of S3: object `{key}` is the file `{path}/{key}`."),
  })
  .superRefine((s, ctx) => {
    if (!s.s3 === !s.path)
      ctx.addIssue({ code: "custom", message: "set exactly one of storage.s3 or storage.path" });
  })
  .describe("Where the evidence objects are (the cars' offload bucket).");

export const stationConfigSchema = z
  .strictObject({
    dataDir: z
      .string()
      .min(1)
      .default("/var/lib/camsync-station")
      .describe("Station state: the embedded database (PGlite) lives in `{dataDir}/db`."),
    storage: stationStorageSchema,
    database: section("The index database.", {
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "expected postgres://…")
        .optional()
        .describe(
          "PostgreSQL server URL (postgres://user@host:5432/camsync). Omit to use the embedded PGlite in dataDir (one process only).",
        ),
      poolSize: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(10)
        .describe("Connections per process (PostgreSQL)."),
    }),
    http: section("The web UI and JSON API.", {
      host: z.string().min(1).default("127.0.0.1").describe("Address to listen on."),
      port: z.number().int().min(0).max(65535).default(8080).describe("TCP port (0 = any free port)."),
      sessionHours: z
        .number()
        .min(0.1)
        .max(24 * 30)
        .default(12)
        .describe("How long a sign-in lasts."),
      secureCookies: z
        .boolean()
        .default(false)
        .describe("Mark the session cookie Secure (set when a TLS proxy fronts the station)."),
    }),
    ingest: section("Reading the bucket into the index.", {
      enabled: z.boolean().default(true).describe("Run the ingest worker in this process."),
      scanIntervalSeconds: seconds("Pause between bucket listing passes.", 60, 1, 86_400),
      concurrency: z.number().int().min(1).max(32).default(2).describe("Prefixes verified at once."),
      leaseSeconds: seconds(
        "How long a claimed job is held before another process may take it over.",
        300,
        5,
      ),
      maxManifestBytes: z
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(4 * 1024 * 1024)
        .describe("Larger manifests are quarantined unread."),
    }),
    mqtt: z
      .strictObject({
        url: z
          .string()
          .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, "expected mqtt://…")
          .describe("The agency broker the cars bridge to."),
        clientId: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe("Client id (default: the username, else camsync-station-{pid})."),
        username: z.string().min(1).optional().describe("MQTT username."),
        passwordFile: z.string().min(1).optional().describe("File holding the MQTT password."),
      })
      .optional()
      .describe("Fleet status and upload announcements from the bridged camsync/v1/+/… topics."),
    custody: custodyConfigSchema,
  })
  .describe("camsync station settings.");

export const stationFileSchema = z
  .strictObject({
    station: stationConfigSchema,
    log: section("Logging (JSON lines to stdout).", {
      level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    }),
  })
  .describe("camsync station configuration (YAML). Unknown keys are errors.");

export type StationConfig = z.output<typeof stationConfigSchema>;
export type StationFile = z.output<typeof stationFileSchema>;
export type StationFileInput = z.input<typeof stationFileSchema>;

export class StationConfigError extends Error {
  override name = "StationConfigError";
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`invalid station config ${path}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

/**
 * One line per problem, prefixed by its path. (The daemon's formatter in src/config/load.ts pulls in
 * the daemon's whole schema, which the station may not import.)
 */
function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => {
    const where = i.path.map(String).join(".") || "(top level)";
    if (i.code === "unrecognized_keys")
      return i.keys.map((k) => `${where === "(top level)" ? "" : `${where}.`}${k}: unknown key`);
    return [`${where}: ${i.message}`];
  });
}

export function parseStationConfig(input: unknown, path = "<config>"): StationFile {
  const r = stationFileSchema.safeParse(input);
  if (r.success) return r.data;
  throw new StationConfigError(path, problemsOf(r.error.issues));
}

/** Read, parse and validate a station YAML file; every problem is listed at once. */
export function loadStationConfig(path: string): StationFile {
  const abs = isAbsolute(path) ? path : resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new StationConfigError(abs, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new StationConfigError(
      abs,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split("\n")[0]}`),
    );
  }
  return parseStationConfig(doc.toJS() ?? {}, abs);
}
