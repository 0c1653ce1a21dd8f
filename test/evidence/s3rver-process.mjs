// A real S3-compatible server process for the offload tests: s3rver on loopback, with a request log and
// two fault switches. Started by test/evidence/s3-server.ts; killed and restarted like a real server.
//   S3_PORT (0 = any), S3_DIR, S3_BUCKET
//   S3_DIE_ON_PART=N   SIGKILL this process when the request for part N arrives (server dies mid-upload)
//   S3_CORRUPT=1       flip one byte of every object stored by a completed multipart upload, before answering
//   S3_CHECKSUMS=1     answer HEAD with x-amz-checksum-sha256 computed from the stored bytes, as AWS S3 and
//                      MinIO do (composite `base64-N` over the part sizes sent for multipart objects);
//                      s3rver itself keeps no checksums
//   S3_LIST_PARTS=1    answer ListParts (GET ?uploadId=) from s3rver's stored parts, as S3 servers do
//                      (s3rver itself refuses it: MethodNotAllowed)
// Prints `READY <port>` and then one JSON line per request: {"method","path","partNumber"}.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import S3rver from "s3rver";

const dir = process.env.S3_DIR;
const bucket = process.env.S3_BUCKET ?? "evidence";
const dieOnPart = process.env.S3_DIE_ON_PART ? Number(process.env.S3_DIE_ON_PART) : null;
const corrupt = process.env.S3_CORRUPT === "1";
const checksums = process.env.S3_CHECKSUMS === "1";
const listParts = process.env.S3_LIST_PARTS === "1";

function listPartsXml(key, uploadId) {
  const dir = join(process.env.S3_DIR, bucket, "._S3rver_uploads", uploadId);
  if (!existsSync(dir)) {
    return { status: 404, body: `<Error><Code>NoSuchUpload</Code><Message>no such upload</Message></Error>` };
  }
  const parts = readdirSync(dir)
    .filter((n) => /^\d+$/.test(n) && existsSync(join(dir, `${n}.md5`)))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => {
      const md5 = readFileSync(join(dir, `${n}.md5`), "utf8").trim();
      const size = statSync(join(dir, n)).size;
      return `<Part><PartNumber>${n}</PartNumber><ETag>"${md5}"</ETag><Size>${size}</Size><LastModified>${new Date().toISOString()}</LastModified></Part>`;
    });
  return {
    status: 200,
    body: `<ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join("")}</ListPartsResult>`,
  };
}
/** key → part sizes by part number, from the part uploads seen (multipart objects). */
const partSizes = new Map();

function storedChecksum(key) {
  const path = objectPath(key);
  if (!existsSync(path)) return null;
  const data = readFileSync(path);
  const sizes = partSizes.get(key);
  if (!sizes) return createHash("sha256").update(data).digest("base64");
  const outer = createHash("sha256");
  let offset = 0;
  const numbers = [...sizes.keys()].sort((a, b) => a - b);
  for (const n of numbers) {
    const size = sizes.get(n);
    outer.update(
      createHash("sha256")
        .update(data.subarray(offset, offset + size))
        .digest(),
    );
    offset += size;
  }
  return `${outer.digest("base64")}-${numbers.length}`;
}

const app = new S3rver({ directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
await app.configureBuckets();
const handler = app.callback();

function objectPath(key) {
  const parts = key.split("/");
  const last = parts.pop();
  return join(dir, bucket, ...parts, `${last}._S3rver_object`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const partNumber = url.searchParams.get("partNumber");
  process.stdout.write(
    `${JSON.stringify({ method: req.method, path: url.pathname, partNumber: partNumber ? Number(partNumber) : null, query: [...url.searchParams.keys()] })}\n`,
  );
  if (dieOnPart !== null && partNumber !== null && Number(partNumber) === dieOnPart) {
    process.kill(process.pid, "SIGKILL");
    return;
  }
  const key = decodeURIComponent(url.pathname.slice(bucket.length + 2));
  if (checksums && req.method === "PUT" && key) {
    if (partNumber !== null) {
      const sizes = partSizes.get(key) ?? new Map();
      sizes.set(Number(partNumber), Number(req.headers["content-length"] ?? 0));
      partSizes.set(key, sizes);
    } else if (!url.searchParams.has("uploadId")) {
      partSizes.delete(key);
    }
  }
  if (checksums && req.method === "HEAD" && key && req.headers["x-amz-checksum-mode"] === "ENABLED") {
    const sum = storedChecksum(key);
    if (sum) res.setHeader("x-amz-checksum-sha256", sum);
  }
  if (listParts && req.method === "GET" && url.searchParams.has("uploadId")) {
    const { status, body } = listPartsXml(key, url.searchParams.get("uploadId"));
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    return;
  }
  if (corrupt && req.method === "POST" && url.searchParams.has("uploadId")) {
    const end = res.end.bind(res);
    res.end = (...args) => {
      const path = objectPath(key);
      const data = readFileSync(path);
      data[Math.floor(data.length / 2)] ^= 0xff;
      writeFileSync(path, data);
      return end(...args);
    };
  }
  handler(req, res);
});
server.listen(Number(process.env.S3_PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
