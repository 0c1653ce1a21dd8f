import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { createNotifier, type Notifier, watchdogIntervalMs } from "./systemd-notify.js";

export interface SystemdWatchdogOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  vehicleId: string;
  /** Whether WATCHDOG=1 may be sent now (no critical component down too long). */
  healthy: () => boolean;
  /** Critical components down now: READY=1 then says DEGRADED and names them. */
  criticalDown: () => string[];
}

/**
 * The daemon under systemd: READY=1 once started, WATCHDOG=1 every half WatchdogSec while healthy (and
 * withheld while not, so systemd restarts camsync), STOPPING=1 on stop. Does nothing outside systemd.
 */
export class SystemdWatchdog {
  private notifier: Notifier | undefined;
  private watchdog: TimerHandle | undefined;

  constructor(private readonly o: SystemdWatchdogOptions) {}

  async ready(): Promise<void> {
    const { env, clock, logger } = this.o;
    this.notifier = await createNotifier(env);
    if (!this.notifier.enabled) return;
    const down = this.o.criticalDown();
    await this.notifier.notify({
      READY: 1,
      STATUS: `${down.length ? `DEGRADED: ${down.join("; ")}` : "ready"}; vehicle ${this.o.vehicleId}`,
      MAINPID: process.pid,
    });
    const every = watchdogIntervalMs(env);
    if (every === null) return;
    this.watchdog = clock.setInterval(() => {
      if (this.o.healthy()) void this.notifier?.notify({ WATCHDOG: 1 });
      else logger.error({}, "health checks failing: withholding WATCHDOG=1 so systemd restarts camsync");
    }, every);
  }

  /** Stop the watchdog pings and tell systemd the daemon is stopping. */
  async stopping(): Promise<void> {
    this.o.clock.clearInterval(this.watchdog);
    await this.notifier?.notify({ STOPPING: 1 });
  }

  close(): void {
    this.notifier?.close();
  }
}
