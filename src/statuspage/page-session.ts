import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { rmSync } from "node:fs";
import { writeFileAtomicSync } from "../storage/atomic-file.js";

/**
 * The status page's session: what lets a page, and only a page opened from the launch link, send
 * control requests (Start / Mark / Stop) on a loopback page without a token.
 *
 * Threat model (docs/operator-guide.md, "Who can control the status page"): any local process can
 * fetch the page on loopback, so nothing the page serves to anyone may grant control. The secret is
 * new at every start and handed out of band: written to the launch file (`{dataDir}/status-page.url`,
 * mode 0640, readable by the same owner and group as the control socket) and, in the demo, shown on
 * the terminal. Opening the link once sets an HttpOnly, SameSite=Strict cookie and redirects to the
 * bare page; control requests must carry that cookie. A process that cannot read the data dir cannot
 * learn the secret, exactly as it cannot use the control socket.
 */
export const SESSION_PARAM = "session";

export class PageSession {
  private readonly secret: string;
  private readonly digest: Buffer;

  constructor(
    /** The page's port: cookies are shared between the ports of one host, so the name carries it. */
    private readonly port: number,
    secret: string = randomBytes(32).toString("base64url"),
  ) {
    this.secret = secret;
    this.digest = createHash("sha256").update(secret).digest();
  }

  get cookieName(): string {
    return `camsync_session_${this.port}`;
  }

  /** The link that establishes the session (`base` = the page's URL, ending in `/`). */
  launchUrl(base: string): string {
    return `${base}?${SESSION_PARAM}=${this.secret}`;
  }

  /** The Set-Cookie value for a page that presented the secret. */
  cookie(): string {
    return `${this.cookieName}=${this.secret}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** True when `given` is this start's secret (constant time). */
  matches(given: string | null | undefined): boolean {
    if (!given) return false;
    return timingSafeEqual(this.digest, createHash("sha256").update(given).digest());
  }

  /** True when the request's Cookie header carries this start's session. */
  inCookies(cookieHeader: string | undefined): boolean {
    for (const part of (cookieHeader ?? "").split(";")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === this.cookieName && this.matches(part.slice(eq + 1).trim()))
        return true;
    }
    return false;
  }

  /** Write the launch link for the kiosk launcher (owner and group only); removed by `forget`. */
  writeLaunchFile(path: string, base: string): void {
    writeFileAtomicSync(path, `${this.launchUrl(base)}\n`);
  }

  static forget(path: string): void {
    rmSync(path, { force: true });
  }
}
