/**
 * Admission of live (Server-Sent Events) connections to the status page. Pure bookkeeping: which
 * streams are open, for which client, and which to end when a new one arrives.
 *
 * - A client is its remote address and whether it is trusted (it carries the token or the page
 *   session) — on loopback every local process shares 127.0.0.1, so trust is what tells them apart.
 * - Each client has at most `perClient` streams: its newest wins (a reloaded page replaces its
 *   stale stream).
 * - Untrusted streams together have at most `untrusted`: the newest wins among them, so idle
 *   connections never lock out a page that just opened.
 * - At `total`, a trusted stream ends the oldest untrusted one, then the oldest trusted one; an
 *   untrusted stream is refused (503) only when trusted streams fill the page.
 */
export interface LiveClient {
  address: string;
  trusted: boolean;
}

export interface LiveLimits {
  total: number;
  perClient: number;
  untrusted: number;
}

export const LIVE_LIMITS: LiveLimits = { total: 16, perClient: 4, untrusted: 4 };

export type Admission<S> = { admitted: true; evict: S[] } | { admitted: false; reason: string };

interface Entry<S> {
  stream: S;
  key: string;
  trusted: boolean;
}

export class LiveStreams<S> {
  /** In arrival order (oldest first). */
  private entries: Entry<S>[] = [];

  constructor(private readonly limits: LiveLimits = LIVE_LIMITS) {}

  get size(): number {
    return this.entries.length;
  }

  get trustedCount(): number {
    return this.entries.filter((e) => e.trusted).length;
  }

  streams(): S[] {
    return this.entries.map((e) => e.stream);
  }

  /** Decide on a new stream; when admitted it is registered and `evict` lists the streams to end. */
  admit(stream: S, client: LiveClient): Admission<S> {
    const key = `${client.trusted ? "t" : "u"}:${client.address}`;
    const evict: Entry<S>[] = [];
    const live = () => this.entries.filter((e) => !evict.includes(e));
    const oldest = (pred: (e: Entry<S>) => boolean) => live().find(pred);
    const { total, perClient, untrusted } = this.limits;

    const own = live().filter((e) => e.key === key);
    if (own.length >= perClient && own[0]) evict.push(own[0]);
    if (!client.trusted) {
      const others = live().filter((e) => !e.trusted);
      if (others.length >= untrusted && others[0]) evict.push(others[0]);
    }
    if (live().length >= total) {
      const victim = client.trusted
        ? (oldest((e) => !e.trusted) ?? oldest((e) => e.trusted))
        : oldest((e) => !e.trusted);
      if (!victim) return { admitted: false, reason: "too many live clients" };
      evict.push(victim);
    }
    this.entries = [...live(), { stream, key, trusted: client.trusted }];
    return { admitted: true, evict: evict.map((e) => e.stream) };
  }

  remove(stream: S): void {
    this.entries = this.entries.filter((e) => e.stream !== stream);
  }

  clear(): void {
    this.entries = [];
  }
}
