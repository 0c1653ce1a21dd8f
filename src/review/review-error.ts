/** Thrown inside a handler: answered as `{ok: false, message}` with this status. */
export class ReviewError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
