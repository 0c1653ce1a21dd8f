import { describe, expect, it } from "vitest";
import { mediaPlaylist, withDiscontinuities } from "./hls-playlist.js";

describe("HLS playlists over recorded segments", () => {
  it("marks a new timeline at another ffmpeg run or a hole", () => {
    const segs = withDiscontinuities([
      { file: "segments/front/20261126T142233123-000001.ts", startMs: 0, durationMs: 1000 },
      { file: "segments/front/20261126T142233123-000002.ts", startMs: 1000, durationMs: 1000 },
      { file: "segments/front/20261126T142233123-000004.ts", startMs: 3000, durationMs: 1000 }, // hole
      { file: "segments/front/20261126T142300000-000000.ts", startMs: 4000, durationMs: 1000 }, // new run
    ]);
    expect(segs.map((s) => s.discontinuity)).toEqual([true, false, true, true]);
  });

  it("writes an EVENT playlist that ends once the event ended, and a sliding live one", () => {
    const segs = [
      { uri: "a.ts", durationMs: 1000, discontinuity: true },
      { uri: "b.ts", durationMs: 1500, discontinuity: false },
      { uri: "c.ts", durationMs: 1000, discontinuity: true },
    ];
    expect(mediaPlaylist(segs, { type: "event", ended: false })).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXTINF:1.000,",
        "a.ts",
        "#EXTINF:1.500,",
        "b.ts",
        "#EXT-X-DISCONTINUITY",
        "#EXTINF:1.000,",
        "c.ts",
        "",
      ].join("\n"),
    );
    expect(mediaPlaylist(segs, { type: "event", ended: true })).toMatch(/#EXT-X-ENDLIST\n$/);
    const live = mediaPlaylist(segs, { type: "live", ended: false, mediaSequence: 41 });
    expect(live).toContain("#EXT-X-MEDIA-SEQUENCE:41");
    expect(live).not.toContain("PLAYLIST-TYPE");
    expect(live).not.toContain("ENDLIST");
  });
});
