// What every soak invariant reports: how many things it checked and every failure (the first 25 listed).
export const MAX_LISTED = 25;

export const overlaps = (a0, a1, b0, b1) => a0 <= b1 && b0 <= a1;

export function result(name, checked, failures, detail = {}) {
  return {
    name,
    ok: failures.length === 0,
    checked,
    failed: failures.length,
    failures: failures.slice(0, MAX_LISTED),
    ...detail,
  };
}
