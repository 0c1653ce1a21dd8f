import { describe, expect, it } from "vitest";
import { type AccessRequest, checkAccess, hostName } from "./access.js";

const TOKEN = "s3cret-token-0123456789";
const get = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  method: "GET",
  host: "127.0.0.1:8080",
  authorization: undefined,
  queryToken: null,
  origin: undefined,
  customHeader: undefined,
  session: false,
  ...over,
});
const post = (over: Partial<AccessRequest> = {}) =>
  get({ method: "POST", customHeader: "1", session: true, ...over });

describe("hostName", () => {
  it.each([
    ["127.0.0.1:8080", "127.0.0.1"],
    ["localhost", "localhost"],
    ["[::1]:8080", "::1"],
    ["[::1]", "::1"],
    ["car.example:443", "car.example"],
  ])("%s → %s", (h, expected) => expect(hostName(h)).toBe(expected));
});

describe("checkAccess without a token (loopback only)", () => {
  it.each<[string, AccessRequest, number | null]>([
    ["a GET on 127.0.0.1", get(), null],
    ["a GET on localhost", get({ host: "localhost:8080" }), null],
    ["a GET on [::1]", get({ host: "[::1]:8080" }), null],
    ["a rebound DNS name (Host: evil.example)", get({ host: "evil.example:8080" }), 403],
    ["a LAN address as Host", get({ host: "192.168.1.20:8080" }), 403],
    ["no Host header", get({ host: undefined }), 403],
    ["a POST with the custom header and no Origin", post(), null],
    ["a POST without the page session (any local process)", post({ session: false }), 403],
    ["a POST from the page's own origin", post({ origin: "http://127.0.0.1:8080" }), null],
    ["a POST without the custom header (plain form / simple fetch)", post({ customHeader: undefined }), 403],
    ["a POST with the header set to something else", post({ customHeader: "yes" }), 403],
    ["a POST from another origin", post({ origin: "http://evil.example" }), 403],
    ["a POST from the same host on another port", post({ origin: "http://127.0.0.1:9999" }), 403],
  ])("%s", (_name, req, status) => {
    const v = checkAccess(req, undefined);
    if (status === null) expect(v).toEqual({ ok: true });
    else expect(v).toMatchObject({ ok: false, status });
  });
});

describe("checkAccess with a token", () => {
  it.each<[string, AccessRequest, number | null]>([
    ["no token", get({ host: "10.0.0.5:8080" }), 401],
    ["the bearer token", get({ host: "10.0.0.5:8080", authorization: `Bearer ${TOKEN}` }), null],
    ["the token in the query (EventSource)", get({ host: "10.0.0.5:8080", queryToken: TOKEN }), null],
    ["a wrong bearer token", get({ host: "10.0.0.5:8080", authorization: "Bearer nope" }), 401],
    ["a token prefix", get({ host: "10.0.0.5:8080", queryToken: TOKEN.slice(0, -1) }), 401],
    ["Basic auth instead of Bearer", get({ host: "10.0.0.5:8080", authorization: `Basic ${TOKEN}` }), 401],
    ["loopback does not waive a configured token", get(), 401],
    [
      "a POST with token but no custom header",
      post({ host: "10.0.0.5:8080", queryToken: TOKEN, customHeader: undefined }),
      403,
    ],
    [
      "a POST with the token needs no page session",
      post({ host: "10.0.0.5:8080", authorization: `Bearer ${TOKEN}`, session: false }),
      null,
    ],
    [
      "a POST with token from the page's origin",
      post({ host: "10.0.0.5:8080", authorization: `Bearer ${TOKEN}`, origin: "http://10.0.0.5:8080" }),
      null,
    ],
  ])("%s", (_name, req, status) => {
    const v = checkAccess(req, TOKEN);
    if (status === null) expect(v).toEqual({ ok: true });
    else expect(v).toMatchObject({ ok: false, status });
  });
});
