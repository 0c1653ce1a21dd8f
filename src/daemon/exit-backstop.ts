import type { Logger } from "../core/logger.js";

/** How long a stopped daemon may take to drain before the process exits anyway. */
export const EXIT_GRACE_MS = 3000;

/**
 * After `stop()` the process must end, whatever a component left behind (a library's timer, a socket that
 * never closed). Normally the event loop drains and Node exits on its own; this unref'd timer only fires
 * when something still holds the loop open: it names what (for the bug report) and exits with `code`.
 */
export function exitAfterStop(code: number, logger?: Logger, graceMs = EXIT_GRACE_MS): void {
  setTimeout(() => {
    const left = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
    const msg = `still running ${graceMs} ms after stop (${left.join(", ")}): exiting`;
    if (logger) logger.warn({ left }, msg);
    else process.stderr.write(`camsync: ${msg}\n`);
    process.exit(code);
  }, graceMs).unref();
}
