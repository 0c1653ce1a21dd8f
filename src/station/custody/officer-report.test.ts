import { describe, expect, it } from "vitest";
import { buildReport, type ReportEvent, reportCsv } from "./officer-report.js";

const H = 3_600_000;
const NOW = Date.UTC(2026, 11, 4, 12);
const ev = (over: Partial<ReportEvent> & { eventId: string }): ReportEvent => ({
  vehicleId: "car1",
  officer: "o1",
  startedAt: NOW - 48 * H,
  endedAt: NOW - 47 * H,
  indexedAt: NOW - 46 * H,
  categories: ["arrest"],
  deleted: false,
  bodycams: [{ id: "bc1", commanded: true, confirmed: true }],
  ...over,
});

describe("accountability report", () => {
  it.each([
    [
      "confirmed, on time, categorised: no problem",
      ev({ eventId: "a" }),
      { confirmed: 1, late: 0, unc: 0, cams: [] },
    ],
    [
      "a body cam that did not confirm",
      ev({
        eventId: "b",
        bodycams: [
          { id: "bc1", commanded: true, confirmed: true },
          { id: "bc2", commanded: true, confirmed: false },
        ],
      }),
      { confirmed: 0, late: 0, unc: 0, cams: [{ id: "bc2", times: 1 }] },
    ],
    [
      "a cam not commanded does not count",
      ev({ eventId: "c", bodycams: [{ id: "bc2", commanded: false, confirmed: false }] }),
      { confirmed: 1, late: 0, unc: 0, cams: [] },
    ],
    [
      "uploaded 25 h after it ended: late",
      ev({ eventId: "d", endedAt: NOW - 47 * H, indexedAt: NOW - 22 * H }),
      { confirmed: 1, late: 1, unc: 0, cams: [] },
    ],
    [
      "uploaded 23 h after: not late",
      ev({ eventId: "e", endedAt: NOW - 47 * H, indexedAt: NOW - 24 * H }),
      { confirmed: 1, late: 0, unc: 0, cams: [] },
    ],
    [
      "uncategorised for 8 days",
      ev({ eventId: "f", categories: [], startedAt: NOW - 8 * 24 * H }),
      { confirmed: 1, late: 0, unc: 1, cams: [] },
    ],
    [
      "uncategorised for 6 days: not yet",
      ev({ eventId: "g", categories: [], startedAt: NOW - 6 * 24 * H }),
      { confirmed: 1, late: 0, unc: 0, cams: [] },
    ],
  ] as const)("%s", (_name, e, want) => {
    for (const row of buildReport([e], [], NOW)) {
      expect(row.activations).toBe(1);
      expect(row.confirmed).toBe(want.confirmed);
      expect(row.lateUploads).toBe(want.late);
      expect(row.uncategorisedOver7Days).toBe(want.unc);
      expect(row.unconfirmedBodycams).toEqual(want.cams);
    }
  });

  it("groups per officer and per vehicle; pending uploads count after 24 h on their vehicle", () => {
    const rows = buildReport(
      [
        ev({ eventId: "a" }),
        ev({
          eventId: "b",
          officer: "o2",
          vehicleId: "car2",
          bodycams: [{ id: "bc9", commanded: true, confirmed: false }],
        }),
      ],
      [
        { vehicleId: "car1", eventId: "p1", since: NOW - 25 * H },
        { vehicleId: "car1", eventId: "p2", since: NOW - 2 * H },
      ],
      NOW,
    );
    expect(
      rows.map((r) => `${r.group}:${r.key}:${r.activations}/${r.confirmed}:${r.stillUploading}`),
    ).toEqual(["officer:o1:1/1:0", "officer:o2:1/0:0", "vehicle:car1:1/1:1", "vehicle:car2:1/0:0"]);
    const csv = reportCsv(rows).split("\r\n");
    expect(csv[0]).toBe(
      "group,key,activations,confirmed,unconfirmed_bodycams,late_uploads,still_uploading_after_24h,uncategorised_over_7_days,problem_events",
    );
    expect(csv[2]).toBe("officer,o2,1,0,bc9x1,0,0,0,b");
    expect(csv[3]).toBe("vehicle,car1,1,1,,0,1,0,p1");
  });

  it("CSV cells cannot become spreadsheet formulas and keep commas and quotes", () => {
    const rows = buildReport([ev({ eventId: "x", officer: '=HYPERLINK("a,b")' })], [], NOW);
    expect(reportCsv(rows)).toContain(`officer,"'=HYPERLINK(""a,b"")",1,1`);
  });
});
