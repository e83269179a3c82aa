// Asks for the read key. The form is hidden in the HTML and shown only here,
// so without this script it cannot be submitted (the key would land in a URL).

/** Shows the gate; resolves with the entered key once submitted. */
export function askForKey(gate, { message } = {}) {
  const form = gate.querySelector('#key-form');
  const input = gate.querySelector('#read-key');
  const error = gate.querySelector('#key-error');
  error.hidden = message === undefined;
  error.textContent = message ?? '';
  input.value = '';
  gate.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    const submitted = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key === '') {
        error.hidden = false;
        error.textContent = 'Enter the read key.';
        return;
      }
      form.removeEventListener('submit', submitted);
      input.value = '';
      gate.hidden = true;
      resolve(key);
    };
    form.addEventListener('submit', submitted);
  });
}
