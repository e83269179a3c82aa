/** Reports an internal failure without ever throwing into the host page. */
export function warn(message: string, detail?: unknown): void {
  try {
    console.warn(`chatmeter: ${message}`, detail ?? '');
  } catch {
    // a console that throws must not break the page either
  }
}
