import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { readBody } from "../statuspage/request-body.js";
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
  return readBody(req, MAX_BODY_BYTES, () => new ReviewError(413, "body too large")).then((text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ReviewError(400, "body is not JSON");
    }
  });
}
