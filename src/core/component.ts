/**
 * A long-lived part of the daemon. `stop()` releases every timer, process and handle it owns.
 * `S` is the component's status type (e.g. RecorderStatus); the daemon's DaemonStatus collects them.
 */
export interface Component<S = unknown> {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A JSON-able snapshot for `camsync status` and the status page. */
  status?(): S;
}
