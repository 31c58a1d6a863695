import type { KeySpec } from "../vocabulary/key-specs";
import type { WrappingAlgorithm } from "../vocabulary/wrapping";

/**
 * What the ceremony needs of the offline half of byok (material, wrapping, escrow, journal). The ceremony
 * sequences online steps around them; byok/ceremony/offline.ts binds them to the real modules.
 */
export interface CeremonyMaterial {
  readonly keySpec: KeySpec;
  /** Key check value (symmetric) or fingerprint (HMAC, asymmetric): what custodians compare. */
  readonly checkValue: string;
  /** Lends the bytes for one synchronous use; the ceremony never keeps them. */
  withBytes<T>(use: (bytes: Buffer) => T): T;
}

export interface EscrowRequest {
  keyArn: string;
  dir: string;
  shares: number;
  threshold: number;
  /** One per custodian (share index order), optional: shares are sealed under them. */
  passphrases?: readonly string[];
}

/** A non-secret record of one step, appended to the hash-chained journal. */
export interface JournalRecord {
  event: string;
  outcome: "ok" | "failed";
  keyArn: string;
  [field: string]: string | number | boolean | null | undefined;
}

/** Material the caller must dispose (zero) when done. */
export interface DisposableMaterial extends CeremonyMaterial {
  dispose(): void;
}

export interface CeremonyOffline {
  wrap(material: CeremonyMaterial, publicKeyDer: Buffer, algorithm: WrappingAlgorithm): Buffer;
  escrow(material: CeremonyMaterial, request: EscrowRequest): Promise<string[]>;
  /** Appends to the journal file, if one is kept. */
  journal(record: JournalRecord): Promise<void>;
  /** Records of earlier runs in the journal (for resuming), oldest first; none without a journal. */
  journalRecords(): Promise<JournalRecord[]>;
}

/** What rotation and renewal need beyond the ceremony: fresh material, and material back from escrow. */
export interface MaterialOffline extends CeremonyOffline {
  generate(keySpec: KeySpec): DisposableMaterial;
  /**
   * Combines the escrow shares of `keyArn` found in `dir` (or the given share files), checking the
   * result's check value; `expectedCheckValue` picks the material when shares of several are there.
   */
  recover(request: {
    keyArn: string;
    dir?: string;
    shareFiles?: readonly string[];
    expectedCheckValue?: string;
    passphrases?: readonly string[];
  }): Promise<DisposableMaterial>;
}
