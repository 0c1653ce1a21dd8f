import { lstatSync, realpathSync, type Stats } from "node:fs";
import { join, sep } from "node:path";

/**
 * Which file under `{dataDir}/events/` a review request means, confined: every path part must be a plain
 * name (letters, digits, `.`, `_`, `-`, not starting with a dot), the file must be a regular file (no
 * symlink) and its real path must lie inside the real event directory. Anything else is "not found" with
 * a reason for the log, never a hint to the client.
 */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export type Resolved = { ok: true; path: string; stat: Stats } | { ok: false; reason: string };

export function isPlainName(part: string): boolean {
  return PLAIN.test(part) && !part.includes("..");
}

/** A request path that tries to leave its directory, however it is encoded. */
export function looksLikeTraversal(rawUrl: string): boolean {
  const path = rawUrl.split("?")[0] ?? "";
  let decoded = path;
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      return true;
    }
  }
  return /(^|[/\\])\.\.([/\\]|$)/.test(decoded) || decoded.includes("\\") || decoded.includes("\0");
}

export function resolveEventFile(eventsDir: string, eventId: string, parts: readonly string[]): Resolved {
  if (!isPlainName(eventId)) return { ok: false, reason: `event id '${eventId}' is not a plain name` };
  if (parts.length === 0 || parts.some((p) => !isPlainName(p)))
    return { ok: false, reason: `path '${parts.join("/")}' has a part that is not a plain name` };
  const path = join(eventsDir, eventId, ...parts);
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return { ok: false, reason: `no file ${path}` };
  }
  if (stat.isSymbolicLink()) return { ok: false, reason: `${path} is a symlink` };
  if (!stat.isFile()) return { ok: false, reason: `${path} is not a regular file` };
  try {
    const root = realpathSync(join(eventsDir, eventId)) + sep;
    if (!realpathSync(path).startsWith(root))
      return { ok: false, reason: `${path} leaves its event directory` };
  } catch {
    return { ok: false, reason: `${path} vanished` };
  }
  return { ok: true, path, stat };
}
