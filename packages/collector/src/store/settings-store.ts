/** Values the collector persists for itself (e.g. generated development keys), by name. */
export interface SettingsStore {
  /** The stored value, null when the setting was never set. */
  getSetting(name: string): Promise<string | null>;
  setSetting(name: string, value: string): Promise<void>;
}
