/** An uploaded object did not verify (checksum or read-back); nothing local is deleted, it is uploaded afresh. */
export class VerificationError extends Error {
  override name = "VerificationError";
}
