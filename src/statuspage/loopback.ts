import { isIP } from "node:net";

/**
 * Whether `host` (a listen address or the host part of a `Host` header) names this machine only:
 * `localhost`, 127.0.0.0/8, or ::1. The status page needs no token there; anywhere else it does.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}
