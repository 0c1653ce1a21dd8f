import { z } from "zod";
import { seconds, section } from "../config/describe.js";

const MiB = 1024 * 1024;

export const offloadConfigSchema = section(
  "Upload of finished events to S3-compatible storage (MinIO, Ceph RGW, AWS S3).",
  {
    enabled: z.boolean().default(false).describe("Upload finished events when the endpoint is reachable."),
    endpoint: z
      .url()
      .optional()
      .describe(
        "Storage server URL, e.g. https://evidence.station.local:9000 (MinIO), https://rgw.agency.local (Ceph RGW). Omit for AWS S3 (region endpoint).",
      ),
    region: z
      .string()
      .min(1)
      .default("us-east-1")
      .describe("Region (AWS S3; MinIO and Ceph accept us-east-1)."),
    bucket: z
      .string()
      .min(3)
      .max(63)
      .optional()
      .describe("Bucket events are uploaded to (must exist). Required when enabled."),
    prefix: z
      .string()
      .max(200)
      .regex(/^$|^[A-Za-z0-9_./-]*\/$/, "expected empty or ending in '/'")
      .default("")
      .describe("Key prefix; objects are `{prefix}{vehicleId}/{eventId}/{file}`."),
    forcePathStyle: z
      .boolean()
      .default(true)
      .describe("Path-style URLs (bucket in the path): needed for MinIO, Ceph RGW and most on-site servers."),
    credentialsFile: z
      .string()
      .min(1)
      .default("/etc/camsync/s3-credentials")
      .describe(
        "File with accessKeyId and secretAccessKey (JSON, YAML or INI). Must be readable only by the service user (mode 0600 or 0400).",
      ),
    verify: z
      .enum(["checksum", "read-back"])
      .default("checksum")
      .describe(
        "How an upload is verified: `checksum` uses the server's SHA-256 checksum where it supports one (AWS S3, MinIO) and reads the object back where it does not; `read-back` always downloads the object and hashes it.",
      ),
    partSizeMiB: z
      .number()
      .int()
      .min(5)
      .max(512)
      .default(16)
      .describe("Multipart part size (S3 requires at least 5 MiB)."),
    probeIntervalSeconds: seconds(
      "How often reachability of the endpoint is checked while idle.",
      30,
      1,
      3600,
    ),
    maxBackoffSeconds: seconds(
      "Longest wait between attempts after failures (the wait doubles per failure).",
      600,
      1,
      86_400,
    ),
    requestTimeoutSeconds: seconds("Timeout of one request (a part upload, a probe).", 120, 1, 3600),
    criticalCategories: z
      .array(z.string().min(1))
      .default([])
      .describe("Event categories uploaded before everything else (besides events marked critical)."),
  },
).superRefine((c, ctx) => {
  if (c.enabled && !c.bucket)
    ctx.addIssue({ code: "custom", path: ["bucket"], message: "required when offload is enabled" });
});

export const retentionConfigSchema = section("When local event files may be deleted.", {
  keepDaysAfterUpload: z
    .number()
    .min(0)
    .max(3650)
    .default(7)
    .describe(
      "Days an event stays on the car after its upload was verified. Un-uploaded evidence is never deleted.",
    ),
  checkIntervalSeconds: seconds("How often retention runs.", 300, 5, 86_400),
});

export const evidenceConfigSchema = section("Audit log, offload to S3-compatible storage, retention.", {
  offload: offloadConfigSchema,
  retention: retentionConfigSchema,
});

export type OffloadConfig = z.output<typeof offloadConfigSchema>;
export type RetentionConfig = z.output<typeof retentionConfigSchema>;
export type EvidenceConfig = z.output<typeof evidenceConfigSchema>;

export const partSizeBytes = (c: OffloadConfig) => c.partSizeMiB * MiB;
