/**
 * HLS media playlists (RFC 8216) over MPEG-TS segments that already exist: an event still being recorded
 * (`EVENT`: segments are only appended; `#EXT-X-ENDLIST` once the event ended) and the live view (a
 * sliding window over the newest ring segments). Pure.
 */
export interface PlaylistSegment {
  /** URI relative to the playlist. */
  uri: string;
  durationMs: number;
  /** A new timeline starts here (another ffmpeg run, a hole, a re-muxed segment). */
  discontinuity: boolean;
}

export function mediaPlaylist(
  segments: readonly PlaylistSegment[],
  o: { type: "event" | "live"; ended: boolean; mediaSequence?: number; discontinuitySequence?: number },
): string {
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.durationMs / 1000)));
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${target}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${o.mediaSequence ?? 0}`);
  if (o.discontinuitySequence) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${o.discontinuitySequence}`);
  if (o.type === "event") lines.push("#EXT-X-PLAYLIST-TYPE:EVENT");
  for (const [i, s] of segments.entries()) {
    if (s.discontinuity && i > 0) lines.push("#EXT-X-DISCONTINUITY");
    lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, s.uri);
  }
  if (o.ended) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

/** Where a new timeline starts in a list of segments `{run}-{n}.ts` sorted by start. */
export function withDiscontinuities<T extends { file: string; startMs: number; durationMs: number }>(
  segs: readonly T[],
  toleranceMs = 300,
): (T & { discontinuity: boolean })[] {
  return segs.map((s, i) => {
    const prev = segs[i - 1];
    const run = (f: string) => f.slice(f.lastIndexOf("/") + 1, f.lastIndexOf("-"));
    const discontinuity =
      !prev || run(prev.file) !== run(s.file) || s.startMs > prev.startMs + prev.durationMs + toleranceMs;
    return { ...s, discontinuity };
  });
}
