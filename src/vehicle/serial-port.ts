/** The part of a node-serialport port a SerialLine uses (SerialPort and SerialPortMock both fit). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  write(data: string | Uint8Array, cb: (err: Error | null | undefined) => void): boolean;
  close(cb: (err: Error | null) => void): void;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "close", listener: (err?: Error & { disconnected?: boolean }) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export type SerialPortFactory = (path: string, baudRate: number) => SerialPortLike;
