import { createReadStream, type Stats } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { fileValidators, rangeAnswer } from "./byte-range.js";

/**
 * Send a media file with HTTP Range support (see byte-range.ts). Evidence is only read: the file is opened
 * read-only and streamed.
 */
export async function sendMediaFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  stat: Stats,
  contentType: string,
  headers: Record<string, string>,
): Promise<void> {
  const v = fileValidators(stat.size, stat.mtimeMs, stat.ino);
  const base = {
    "cache-control": "private, no-cache",
    ...headers,
    "content-type": contentType,
    "accept-ranges": "bytes",
    etag: v.etag,
    "last-modified": v.lastModified,
  };
  const single = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
  const answer = rangeAnswer(single(req.headers.range), single(req.headers["if-range"]), stat.size, v);
  if (answer.status === 416) {
    res.writeHead(416, {
      ...base,
      "content-range": `bytes */${stat.size}`,
      "content-type": "application/json",
    });
    res.end(JSON.stringify({ ok: false, message: `range not satisfiable: the file has ${stat.size} bytes` }));
    return;
  }
  const start = answer.status === 206 ? answer.start : 0;
  const end = answer.status === 206 ? answer.end : stat.size - 1;
  const length = stat.size === 0 ? 0 : end - start + 1;
  res.writeHead(answer.status, {
    ...base,
    "content-length": String(length),
    ...(answer.status === 206 ? { "content-range": `bytes ${start}-${end}/${stat.size}` } : {}),
  });
  if (req.method === "HEAD" || length === 0) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(path, { start, end, highWaterMark: 1024 * 1024 }), res);
  } catch {
    // the player closed the connection (a seek): nothing to do
  }
}
