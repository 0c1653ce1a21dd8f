import { type DigitalLine, type Level, type LineListener, LineUnavailableError } from "./digital-line.js";
import { DEFAULT_SYSFS_ROOT, resolveSysfsLine } from "./sysfs-chip.js";

/** The part of onoff's `Gpio` this backend uses (tests pass a fake). */
export interface SysfsGpio {
  readSync(): number;
  watch(callback: (err: Error | null | undefined, value: number) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export type SysfsGpioFactory = (gpio: number) => Promise<SysfsGpio>;

/** onoff's Gpio as an input watching both edges, with active_low forced off (camsync applies activeLow itself). */
export const onoffGpioFactory: SysfsGpioFactory = async (gpio) => {
  const { Gpio } = await import("onoff");
  return new Gpio(gpio, "in", "both", { activeLow: false });
};

export interface OnoffLineOptions {
  chip: string;
  line: number;
  /** `/sys/class/gpio` unless a test points at a fake tree. */
  sysfsRoot?: string;
  gpioFactory?: SysfsGpioFactory;
}

const toLevel = (value: number): Level => (value ? 1 : 0);

/** A line read through sysfs GPIO (onoff): `{chip, line}` resolved to `base + offset`, edges by epoll. */
export class OnoffLine implements DigitalLine {
  private gpio: SysfsGpio | null = null;
  description: string;

  constructor(private readonly opts: OnoffLineOptions) {
    this.description = `${opts.chip} line ${opts.line} (sysfs)`;
  }

  async open(listener: LineListener): Promise<Level> {
    const resolved = resolveSysfsLine(
      this.opts.chip,
      this.opts.line,
      this.opts.sysfsRoot ?? DEFAULT_SYSFS_ROOT,
    );
    this.description = `${resolved.chip.label} line ${resolved.offset} (sysfs gpio${resolved.gpio})`;
    let gpio: SysfsGpio;
    try {
      gpio = await (this.opts.gpioFactory ?? onoffGpioFactory)(resolved.gpio);
    } catch (err) {
      throw new LineUnavailableError(`cannot open ${this.description}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.gpio = gpio;
    let troubled = false;
    gpio.watch((err, value) => {
      if (err) {
        troubled = true;
        listener.problem(`${this.description}: ${err.message}`);
        return;
      }
      if (troubled) {
        troubled = false;
        listener.problem(null);
      }
      listener.edge(toLevel(value));
    });
    return toLevel(gpio.readSync());
  }

  read(): Level {
    if (!this.gpio) throw new LineUnavailableError(`${this.description} is not open`);
    return toLevel(this.gpio.readSync());
  }

  async close(): Promise<void> {
    const gpio = this.gpio;
    this.gpio = null;
    if (!gpio) return;
    gpio.unwatchAll();
    gpio.unexport();
  }
}
