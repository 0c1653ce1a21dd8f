// Types for evidence-scan.mjs (the parts tests use).
export function listedFootage(dir: string, manifest: unknown): Map<string, number | null>;
export class FootageLedger {
  constructor(dataDir: string);
  seen: Record<string, { bytes: number; firstSeen: number; final: boolean }>;
  scan(): void;
  atEnd(): Record<string, { bytes: number }>;
}
