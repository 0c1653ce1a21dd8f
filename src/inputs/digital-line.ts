/**
 * One digital input line, as the rest of camsync sees it, whatever reads it (sysfs through onoff,
 * the libgpiod tools, or a simulation). Levels are electrical (1 = high); activeLow is applied later.
 */
export type Level = 0 | 1;

export interface LineListener {
  /** The line changed to `level` (an edge, possibly a bounce). */
  edge(level: Level): void;
  /** The backend lost (string) or regained (null) its hold on the line, e.g. gpiomon exited and is restarting. */
  problem(detail: string | null): void;
}

export interface DigitalLine {
  /** Human description for logs and status, e.g. "pinctrl-bcm2711 line 17 (sysfs gpio529)". */
  readonly description: string;
  /** Acquire the line, start watching edges and return its level now (the read at start). */
  open(listener: LineListener): Promise<Level>;
  /**
   * The level now, read synchronously (sysfs value file, the simulated level, or for gpiomon the level
   * known from its last read and edges). Throws when the line cannot be read.
   */
  read(): Level;
  /** Release the line and every process, timer and handle it holds. */
  close(): Promise<void>;
}

export class LineUnavailableError extends Error {
  readonly unavailable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LineUnavailableError";
  }
}
