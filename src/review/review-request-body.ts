import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { ReviewError } from "./review-error.js";

/** The review tab's POST bodies: tagging an event, and signing in the officer. */
export const tagBodySchema = z.strictObject({
  category: z.string().max(64).optional(),
  caseNumber: z.string().max(64).optional(),
  note: z.string().max(2000).optional(),
  critical: z.literal(true).optional(),
});
export const officerBodySchema = z.strictObject({ officer: z.string().min(1).max(64) });

const MAX_BODY_BYTES = 8192;

/** The request's JSON body: content-type application/json, at most 8 KiB. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
    return Promise.reject(new ReviewError(415, "expected content-type: application/json"));
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new ReviewError(413, "body too large"));
      else chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new ReviewError(400, "body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}
