/**
 * sd_notify(3) from Node: READY=1, WATCHDOG=1, STATUS=…, STOPPING=1 as datagrams to $NOTIFY_SOCKET.
 * Node has no datagram Unix sockets, so this uses node-unix-socket (prebuilt), loaded lazily: where it is
 * missing or NOTIFY_SOCKET is unset (not under systemd), notifications are no-ops.
 */
export interface Notifier {
  readonly enabled: boolean;
  notify(state: Record<string, string | number>): Promise<void>;
  close(): void;
}

interface DgramLike {
  sendTo(
    buf: Buffer,
    offset: number,
    length: number,
    path: string,
    cb?: (err: Error | undefined) => void,
  ): void;
  close(): void;
}

const disabled: Notifier = { enabled: false, notify: async () => {}, close() {} };

export async function createNotifier(env: NodeJS.ProcessEnv = process.env): Promise<Notifier> {
  const raw = env.NOTIFY_SOCKET;
  if (!raw) return disabled;
  // An abstract socket is given as "@name"; the kernel wants a leading NUL.
  const path = raw.startsWith("@") ? `\0${raw.slice(1)}` : raw;
  let socket: DgramLike;
  try {
    const mod = (await import("node-unix-socket")) as unknown as { DgramSocket: new () => DgramLike };
    socket = new mod.DgramSocket();
  } catch (err) {
    process.stderr.write(`camsync: cannot notify systemd (node-unix-socket unavailable: ${String(err)})\n`);
    return disabled;
  }
  return {
    enabled: true,
    notify(state) {
      const msg = Buffer.from(
        Object.entries(state)
          .map(([k, v]) => `${k}=${String(v).replace(/\n/g, " ")}`)
          .join("\n"),
      );
      return new Promise((resolve) => {
        socket.sendTo(msg, 0, msg.length, path, () => resolve());
      });
    },
    close() {
      socket.close();
    },
  };
}

/** `WATCHDOG_USEC` → interval in ms at which WATCHDOG=1 should be sent (half the timeout), or null. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Math.max(500, Math.floor(usec / 1000 / 2));
}
