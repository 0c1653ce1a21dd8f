/**
 * HTTP Range for media files (RFC 9110 §14). Pure: headers and the file's size/validators in, what to
 * send out.
 *
 * - one range `bytes=a-b`, `bytes=a-`, `bytes=-n` → 206 with `Content-Range`;
 * - a range starting at or past the end (or an empty suffix) → 416 with `Content-Range: bytes * /size`;
 * - several ranges (`bytes=0-1,5-9`) are not served as multipart: the whole file is sent (200), which the
 *   RFC allows (a server may ignore Range) and every player handles;
 * - a Range header that does not parse is ignored (200, the whole file), as the RFC says;
 * - `If-Range`: the range is honoured only if the validator (an ETag, compared strongly, or an HTTP date
 *   equal to Last-Modified) still matches; otherwise the whole, current file is sent (200).
 */
export type RangeAnswer = { status: 200 } | { status: 206; start: number; end: number } | { status: 416 };

export interface Validators {
  etag: string;
  /** Last-Modified as an HTTP date (second precision). */
  lastModified: string;
}

export function rangeAnswer(
  range: string | undefined,
  ifRange: string | undefined,
  size: number,
  v: Validators,
): RangeAnswer {
  if (range === undefined) return { status: 200 };
  if (ifRange !== undefined && !ifRangeMatches(ifRange.trim(), v)) return { status: 200 };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(range);
  if (!m?.[1]) return { status: 200 };
  const specs = m[1].split(",").map((s) => s.trim());
  if (specs.length !== 1) return { status: 200 };
  const spec = /^(\d*)-(\d*)$/.exec(specs[0] ?? "");
  if (!spec) return { status: 200 };
  const [, a = "", b = ""] = spec;
  if (a === "" && b === "") return { status: 200 };
  if (a === "") {
    const n = Number(b);
    if (n === 0 || size === 0) return { status: 416 };
    return { status: 206, start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (b !== "" && Number(b) < start) return { status: 200 }; // invalid: ignored
  if (start >= size) return { status: 416 };
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  return { status: 206, start, end };
}

function ifRangeMatches(value: string, v: Validators): boolean {
  if (value.startsWith('"') || value.startsWith("W/")) {
    // a weak validator never matches for If-Range (strong comparison)
    return !value.startsWith("W/") && value === v.etag;
  }
  const at = Date.parse(value);
  return !Number.isNaN(at) && at === Date.parse(v.lastModified);
}

/** A strong validator for a file that is never rewritten in place (evidence) nor while being served. */
export function fileValidators(size: number, mtimeMs: number, ino: number): Validators {
  return {
    etag: `"${ino.toString(16)}-${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`,
    lastModified: new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString(),
  };
}
