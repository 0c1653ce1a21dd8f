/** A long-lived part of the daemon. `stop()` releases every timer, process and handle it owns. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A JSON-able snapshot for `camsync status` and the status page. */
  status?(): Record<string, unknown>;
}
