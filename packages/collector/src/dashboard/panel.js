// One panel = one <section data-panel="name">. Its `data-state` is the
// contract with the CSS and with tests: loading | ready | empty | error.
// `data-query` records which filters the shown content belongs to.

const MESSAGES = {
  loading: 'Loading…',
  empty: 'No data for this range and filters.',
};

/** Wraps a panel element; `slot(name)` finds its `[data-slot]` children. */
export function createPanel(element) {
  const status = element.querySelector('.panel-status');
  return {
    name: element.dataset.panel,
    element,
    slot(name) {
      const found = element.querySelector(`[data-slot="${name}"]`);
      if (found === null) throw new Error(`panel ${element.dataset.panel} has no slot "${name}"`);
      return found;
    },
    loading() {
      setState(element, status, 'loading', MESSAGES.loading);
    },
    /** Background refresh: keep what is shown, only mark the panel busy. */
    busy(isBusy) {
      element.setAttribute('aria-busy', String(isBusy));
    },
    empty(message = MESSAGES.empty) {
      setState(element, status, 'empty', message);
    },
    error(error) {
      const code = typeof error?.code === 'string' ? ` (${error.code})` : '';
      const message = error instanceof Error ? error.message : String(error);
      setState(element, status, 'error', `Could not load this panel: ${message}${code}`);
    },
    ready() {
      setState(element, status, 'ready', '');
    },
    /** A chip in the header saying which active filters this panel ignores. */
    setScopeNote(text, explanation) {
      let note = element.querySelector('.scope-note');
      if (text === null) {
        note?.remove();
        return;
      }
      if (note === null) {
        note = document.createElement('span');
        note.className = 'scope-note';
        element.querySelector('.panel-head h2')?.after(note);
      }
      note.textContent = text;
      note.title = explanation;
    },
    setQuery(query) {
      element.dataset.query = query;
    },
  };
}

function setState(element, status, state, message) {
  element.dataset.state = state;
  element.setAttribute('aria-busy', String(state === 'loading'));
  // textContent: error messages can quote request values back.
  status.textContent = message;
}
