/**
 * Which incident a body-cam clip without an event id belongs to (pure): among the car events of the
 * same cam (the car commanded it) or the same officer that overlap the clip on the station's time
 * axis, the one with the longest overlap; a cam match beats an officer match; ties go to the
 * earlier event. No overlap, no link.
 */
export interface TimeCandidate {
  eventId: string;
  /** Event span on the station's time axis (ISO). */
  start: string;
  end: string;
  /** The car's manifest lists the clip's cam among its body cams. */
  byCam: boolean;
}

export function overlapMs(a: { start: string; end: string }, b: { start: string; end: string }): number {
  return Math.min(Date.parse(a.end), Date.parse(b.end)) - Math.max(Date.parse(a.start), Date.parse(b.start));
}

export function chooseTimeLink(
  clip: { start: string; end: string },
  candidates: readonly TimeCandidate[],
): string | null {
  let best: { c: TimeCandidate; overlap: number } | null = null;
  for (const c of candidates) {
    const overlap = overlapMs(clip, c);
    if (overlap < 0) continue;
    if (
      !best ||
      (c.byCam && !best.c.byCam) ||
      (c.byCam === best.c.byCam &&
        (overlap > best.overlap ||
          (overlap === best.overlap && Date.parse(c.start) < Date.parse(best.c.start))))
    )
      best = { c, overlap };
  }
  return best ? best.c.eventId : null;
}
