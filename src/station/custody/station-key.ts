import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../storage/atomic-file.js";

/**
 * The station's Ed25519 signing key: `{dataDir}/station-key.pem` (private, mode 0600) and
 * `{dataDir}/station-key.pub.pem`, generated on first start. Exports are signed with it; the public
 * key and its fingerprint (SHA-256 of the DER public key) are shown in the UI and the docs.
 */
export const PRIVATE_KEY_FILE = "station-key.pem";
export const PUBLIC_KEY_FILE = "station-key.pub.pem";

export interface StationKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PEM (SPKI) text of the public key. */
  publicPem: string;
  /** SHA-256 (hex) of the DER public key: `openssl pkey -pubin -in K.pem -outform DER | sha256sum`. */
  fingerprint: string;
}

/** What the station publishes of its key (the web UI, the API): never the private half. */
export type PublicStationKey = Pick<StationKey, "publicPem" | "fingerprint">;

export function keyFingerprint(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

function fromPrivate(privateKey: KeyObject): StationKey {
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`station key is ${privateKey.asymmetricKeyType ?? "unknown"}, expected ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}

/** Create a file that must not exist yet (another station process may be creating the same key). */
function createExclusive(path: string, text: string, mode: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Load the station key from the data dir, generating it there when absent. */
export function loadOrCreateStationKey(dataDir: string): StationKey {
  const path = join(dataDir, PRIVATE_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    createExclusive(path, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
  }
  const key = fromPrivate(createPrivateKey(readFileSync(path)));
  const pubPath = join(dataDir, PUBLIC_KEY_FILE);
  if (!existsSync(pubPath)) writeFileAtomicSync(pubPath, key.publicPem);
  return key;
}

/** Ed25519 signature (64 raw bytes) of `data`. */
export const signBytes = (key: StationKey, data: Uint8Array): Buffer => sign(null, data, key.privateKey);

export function verifySignature(
  publicPem: string | Buffer,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const publicKey = createPublicKey(publicPem);
    return publicKey.asymmetricKeyType === "ed25519" && verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}
