import { describe, expect, it } from "vitest";
import type { AuditAppender } from "../evidence/audit-log.js";
import { ViewAudit } from "./view-audit.js";

function recorder() {
  const entries: { type: string; data: Record<string, unknown> }[] = [];
  let fail = false;
  const audit: AuditAppender = {
    append(type, data) {
      if (fail) throw new Error("ENOSPC");
      entries.push({ type, data });
      return { seq: entries.length } as ReturnType<AuditAppender["append"]>;
    },
  } as AuditAppender;
  return { audit, entries, failNext: (f: boolean) => (fail = f) };
}

const view = (over: Partial<Parameters<ViewAudit["viewed"]>[0]> = {}) => ({
  eventId: "e1",
  file: "front.mp4",
  session: "s1",
  client: "127.0.0.1",
  officer: "D-0001",
  ...over,
});

describe("event-viewed audit entries", () => {
  it("records one entry per playback: repeated requests of one session and file within the window are one", () => {
    let now = 0;
    const r = recorder();
    const views = new ViewAudit(r.audit, () => now, 10 * 60_000);
    expect(views.viewed(view())).toBe(true);
    now += 1000;
    expect(views.viewed(view())).toBe(false); // a Range request of the same playback
    now += 9 * 60_000;
    expect(views.viewed(view())).toBe(false); // the window slides with every request
    expect(views.viewed(view({ file: "rear.mp4" }))).toBe(true); // another file
    expect(views.viewed(view({ session: "s2" }))).toBe(true); // another page session
    now += 10 * 60_000 + 1;
    expect(views.viewed(view())).toBe(true); // watched again later
    expect(r.entries).toHaveLength(4);
    expect(r.entries[0]).toEqual({
      type: "event-viewed",
      data: {
        eventId: "e1",
        file: "front.mp4",
        by: "D-0001",
        officer: "D-0001",
        via: "status-page",
        client: "127.0.0.1",
        session: "s1",
      },
    });
  });

  it("without a session the client address keys the playback; without an officer the page is named", () => {
    const r = recorder();
    const views = new ViewAudit(r.audit, () => 0);
    views.viewed(view({ session: null, officer: null }));
    views.viewed(view({ session: null, officer: null }));
    views.viewed(view({ session: null, client: "10.0.0.9" }));
    expect(r.entries.map((e) => e.data.by)).toEqual(["status-page", "D-0001"]);
  });

  it("a view that could not be written throws and is not remembered (the next request tries again)", () => {
    const r = recorder();
    const views = new ViewAudit(r.audit, () => 0);
    r.failNext(true);
    expect(() => views.viewed(view())).toThrow("ENOSPC");
    r.failNext(false);
    expect(views.viewed(view())).toBe(true);
  });
});
