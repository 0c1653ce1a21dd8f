/**
 * Retention's keep/delete decisions, pure and table-tested (Frigate's record maintainer is the model).
 * Rules: an event is deleted only when its upload was verified and `keepDaysAfterUpload` days have
 * passed since; un-uploaded evidence is never deleted. When what must be kept alone leaves less free
 * space than the reserve, storage is critical (the recorder shrinks its ring instead).
 */
export interface RetentionEvent {
  eventId: string;
  /** Bytes the event occupies locally. */
  bytes: number;
  /** Epoch ms the upload was verified; null when not (yet) uploaded and verified. */
  verifiedAt: number | null;
}

export interface RetentionPolicy {
  keepDaysAfterUpload: number;
  reserveBytes: number;
}

export interface RetentionDecision {
  eventId: string;
  reason: string;
}

export interface StorageCritical {
  freeBytes: number;
  freeAfterDeletes: number;
  reserveBytes: number;
  unuploadedBytes: number;
  unuploadedEvents: number;
}

export interface RetentionPlan {
  delete: RetentionDecision[];
  keep: RetentionDecision[];
  storageCritical: StorageCritical | null;
}

const DAY_MS = 86_400_000;

export function planRetention(
  events: readonly RetentionEvent[],
  now: number,
  policy: RetentionPolicy,
  freeBytes: number,
): RetentionPlan {
  const plan: RetentionPlan = { delete: [], keep: [], storageCritical: null };
  let freed = 0;
  let unuploadedBytes = 0;
  let unuploadedEvents = 0;
  for (const e of events) {
    if (e.verifiedAt === null) {
      unuploadedBytes += e.bytes;
      unuploadedEvents += 1;
      plan.keep.push({ eventId: e.eventId, reason: "not uploaded and verified: never deleted" });
      continue;
    }
    const until = e.verifiedAt + policy.keepDaysAfterUpload * DAY_MS;
    if (now >= until) {
      freed += e.bytes;
      plan.delete.push({
        eventId: e.eventId,
        reason: `upload verified ${new Date(e.verifiedAt).toISOString()}, kept ${policy.keepDaysAfterUpload} day(s)`,
      });
    } else {
      plan.keep.push({ eventId: e.eventId, reason: `uploaded; kept until ${new Date(until).toISOString()}` });
    }
  }
  const freeAfterDeletes = freeBytes + freed;
  if (freeAfterDeletes < policy.reserveBytes) {
    plan.storageCritical = {
      freeBytes,
      freeAfterDeletes,
      reserveBytes: policy.reserveBytes,
      unuploadedBytes,
      unuploadedEvents,
    };
  }
  return plan;
}
