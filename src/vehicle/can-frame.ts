/** One CAN frame, as every CAN source (SLCAN, SocketCAN via candump, log replay) delivers it. */
export interface CanFrame {
  /** Arbitration id (11-bit standard or 29-bit extended). */
  id: number;
  extended: boolean;
  /** Remote transmission request: no data. */
  remote: boolean;
  /** Data length code, 0–8. */
  dlc: number;
  /** `dlc` bytes (empty for remote frames). */
  data: Uint8Array;
  /** Reception time, epoch seconds with microseconds where the source gives them (candump -L), else host time. */
  timestamp: number;
  /** Source channel name (e.g. "can0", "slcan0"). */
  channel?: string;
}
