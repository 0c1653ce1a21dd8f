import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import {
  type ControlOp,
  type ControlRequest,
  type ControlResponse,
  controlRequestSchema,
  MAX_REQUEST_BYTES,
} from "../control/control-protocol.js";
import type { Logger } from "../core/logger.js";

type Handler<O extends ControlOp> = (req: Extract<ControlRequest, { op: O }>) => Promise<unknown> | unknown;

/**
 * Serves the control channel. Components register handlers for the ops they own; a request for an op
 * nobody registered gets a clear error. A bad request never affects the daemon: it gets an error line.
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly handlers = new Map<ControlOp, Handler<ControlOp>>();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly socketPath: string,
    private readonly log: Logger,
  ) {}

  handle<O extends ControlOp>(op: O, handler: Handler<O>): void {
    this.handlers.set(op, handler as unknown as Handler<ControlOp>);
  }

  /** Run a request in-process (the status page uses the same handlers and policy as the socket). */
  async dispatch(raw: unknown): Promise<ControlResponse> {
    const parsed = controlRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: `bad request: ${issue ? `${issue.path.join(".") || "request"}: ${issue.message}` : "invalid"}`,
      };
    }
    const handler = this.handlers.get(parsed.data.op);
    if (!handler) return { ok: false, error: `'${parsed.data.op}' is not available in this daemon` };
    try {
      const result = await handler(parsed.data);
      return result === undefined ? { ok: true } : { ok: true, result };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async start(): Promise<void> {
    await removeStaleSocket(this.socketPath);
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    const oldMask = process.umask(0o117);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.socketPath, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldMask);
    }
    chmodSync(this.socketPath, 0o660);
    server.on("error", (err) => this.log.error({ err }, "control socket error"));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already gone
    }
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buffered = "";
    let chain = Promise.resolve();
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES && !buffered.includes("\n")) {
        socket.end(`${JSON.stringify({ ok: false, error: "request too large" })}\n`);
        buffered = "";
        return;
      }
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
        if (!line) continue;
        chain = chain.then(async () => {
          let response: ControlResponse;
          try {
            response = await this.dispatch(JSON.parse(line));
          } catch {
            response = { ok: false, error: "bad request: not JSON" };
          }
          if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
        });
      }
    });
  }
}

/** A socket file left by a killed daemon is removed; one a live daemon answers on is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
  if (alive) throw new Error(`another camsync daemon is already running on ${path}`);
  unlinkSync(path);
}
