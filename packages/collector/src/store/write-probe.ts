/** What `/readyz` asks a store: can it write right now? */
export interface WriteProbe {
  /**
   * Commits a tiny write (readiness probe). Rejects with StoreUnavailableError
   * when the engine cannot write now (full disk, read-only file, lock held).
   */
  checkWritable(): Promise<void>;
}
