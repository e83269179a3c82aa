// The read key lives in sessionStorage: it survives reloads of this tab but
// not closing it, and is never written to the URL or to localStorage.

const STORAGE_KEY = 'chatmeter.readKey';

/** The stored read key, or null. Storage may be disabled (private modes). */
export function loadReadKey() {
  try {
    const key = sessionStorage.getItem(STORAGE_KEY);
    return key === null || key === '' ? null : key;
  } catch {
    return null;
  }
}

export function saveReadKey(key) {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Without storage the key lives only in memory for this page load.
  }
}

export function clearReadKey() {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
