import { createConnection } from "node:net";
import type { ControlRequest, ControlResponse } from "./control-protocol.js";

export class ControlUnavailableError extends Error {
  override name = "ControlUnavailableError";
}

/** Send one request to a running daemon and wait for its answer. */
export function controlRequest(
  socketPath: string,
  req: ControlRequest,
  timeoutMs = 5000,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ControlUnavailableError(`no answer from the daemon on ${socketPath} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buffered.slice(0, nl)) as ControlResponse);
      } catch {
        reject(new Error("the daemon sent an unreadable answer"));
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === "ENOENT" || err.code === "ECONNREFUSED"
          ? "is camsync running? (no daemon is listening)"
          : err.code === "EACCES"
            ? "permission denied (run as the camsync user or a member of its group)"
            : err.message;
      reject(new ControlUnavailableError(`cannot reach the daemon at ${socketPath}: ${why}`));
    });
  });
}
