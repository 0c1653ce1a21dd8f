import { type IncomingHttpHeaders, request } from "node:http";

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One plain HTTP request (node:http, so tests can send any Host or Origin header). */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A Server-Sent Events subscription that collects `data:` frames as parsed JSON. */
export class EventStream {
  readonly frames: unknown[] = [];
  status = 0;
  private waiters: (() => void)[] = [];
  private readonly req;
  private closed = false;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.req = request(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        let end = buffered.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf("\n\n");
          const data = frame
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          if (data) this.frames.push(JSON.parse(data));
        }
        for (const w of this.waiters.splice(0)) w();
      });
      res.on("end", () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w();
      });
    });
    this.req.on("error", () => {
      this.closed = true;
    });
    this.req.end();
  }

  get ended(): boolean {
    return this.closed;
  }

  /** Resolves with the first frame (from index `from`) matching `pred`; rejects after `timeoutMs`. */
  async next(pred: (f: unknown) => boolean, from = 0, timeoutMs = 5000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit !== undefined) return hit;
      if (this.closed) throw new Error("event stream closed");
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms (${this.frames.length} frames)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once the server ends the stream. */
  async end(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("stream still open");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.req.destroy();
  }
}
