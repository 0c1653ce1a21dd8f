import { createConnection, isIP, type Socket } from "node:net";
import type { ConnectionOptions, TLSSocket } from "node:tls";

/**
 * The socket to the broker, for MQTT.js's client. `mqtt.connect()` would load every transport it knows on
 * its first call (WebSocket with its HTTP, HTTPS and zlib stacks, SOCKS with DNS, TLS), ~2 MiB of a daemon
 * that speaks only MQTT over TCP or TLS (docs/performance.md, "Memory"). This opens exactly the URLs the
 * config accepts: `mqtt://`/`tcp://` (port 1883 by default) and `mqtts://`/`ssl://`/`tls://` (8883);
 * TLS is loaded only for a TLS URL, or when a client certificate and key are given (as MQTT.js does).
 */
export interface BrokerAddress {
  secure: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

const SECURE = new Set(["mqtts:", "ssl:", "tls:"]);
const PLAIN = new Set(["mqtt:", "tcp:"]);

export function brokerAddress(url: string, withClientCert: boolean): BrokerAddress {
  const u = new URL(url);
  if (!SECURE.has(u.protocol) && !PLAIN.has(u.protocol)) {
    throw new Error(`unsupported broker URL scheme '${u.protocol}' (expected mqtt:// or mqtts://)`);
  }
  const secure = SECURE.has(u.protocol) || withClientCert;
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  return {
    secure,
    host: host || "localhost",
    port: u.port ? Number(u.port) : secure ? 8883 : 1883,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

export interface BrokerTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Open a connection to the broker (the server's certificate is always verified on TLS). */
export function openBrokerSocket(addr: BrokerAddress, tlsFiles: BrokerTls): Socket | TLSSocket {
  if (!addr.secure) return createConnection({ host: addr.host, port: addr.port });
  const tls = process.getBuiltinModule("node:tls");
  const opts: ConnectionOptions = {
    host: addr.host,
    port: addr.port,
    ca: tlsFiles.ca,
    cert: tlsFiles.cert,
    key: tlsFiles.key,
    rejectUnauthorized: true,
    ...(isIP(addr.host) === 0 ? { servername: addr.host } : {}),
  };
  return tls.connect(opts);
}
