import type { DigitalLine, Level, LineListener } from "./digital-line.js";

/** A line with no hardware behind it: the demo, the control socket and tests set its level. */
export class SimulatedLine implements DigitalLine {
  readonly description: string;
  private listener: LineListener | null = null;

  constructor(
    name: string,
    private level: Level = 0,
  ) {
    this.description = `simulated line '${name}'`;
  }

  async open(listener: LineListener): Promise<Level> {
    this.listener = listener;
    return this.level;
  }

  read(): Level {
    return this.level;
  }

  /** Drive the line to `level`; with `edge: false` the change happens without an edge (a missed interrupt). */
  set(level: Level, opts: { edge?: boolean } = {}): void {
    if (level === this.level) return;
    this.level = level;
    if (opts.edge !== false) this.listener?.edge(level);
  }

  async close(): Promise<void> {
    this.listener = null;
  }
}
