import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { brokerAddress, openBrokerSocket } from "./broker-stream.js";

describe("brokerAddress", () => {
  it.each([
    ["mqtt://127.0.0.1:1884", false, { secure: false, host: "127.0.0.1", port: 1884 }],
    ["tcp://broker.local", false, { secure: false, host: "broker.local", port: 1883 }],
    ["mqtts://broker.local", false, { secure: true, host: "broker.local", port: 8883 }],
    ["ssl://10.0.0.2:9000", false, { secure: true, host: "10.0.0.2", port: 9000 }],
    ["tls://[::1]:8884", false, { secure: true, host: "::1", port: 8884 }],
    // a client certificate and key make a plain URL a TLS one (as MQTT.js does)
    ["mqtt://broker.local", true, { secure: true, host: "broker.local", port: 8883 }],
  ])("%s (client cert: %s)", (url, cert, expected) => {
    expect(brokerAddress(url, cert)).toEqual(expected);
  });

  it("takes credentials written in the URL", () => {
    expect(brokerAddress("mqtt://car%201:p%40ss@127.0.0.1:1883", false)).toMatchObject({
      username: "car 1",
      password: "p@ss",
    });
  });

  it("refuses a scheme it cannot open", () => {
    expect(() => brokerAddress("ws://127.0.0.1:9001", false)).toThrow(/unsupported broker URL scheme 'ws:'/);
  });
});

describe("openBrokerSocket", () => {
  it("opens a plain TCP connection to the broker's address", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, "connection");
    const socket = openBrokerSocket({ secure: false, host: "127.0.0.1", port }, {});
    const [peer] = (await accepted) as [Socket];
    await once(socket, "connect");
    expect(peer.remotePort).toBe(socket.localPort);
    socket.destroy();
    peer.destroy();
    server.close();
  });
});
