// Types for hijack-attempt.mjs.
export const HIJACK_SETTLE_MS: number;
export function brokerConnections(log: string): Map<number, { clientId: string; username: string }>;
export function hijackAttempt(s: unknown, f: Record<string, unknown>, durationMs: number): Promise<void>;
