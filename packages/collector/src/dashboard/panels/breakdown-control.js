// The retention panel's breakdown selector: none, the acquisition channel
// (first touch), the plan trait, or any other trait typed by name. The API
// answers one cohort table per value (top 10 + "other").

// As the API accepts them: a trait name becomes a JSON path there.
const TRAIT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Wires `[data-control="breakdown"]` (a select whose "trait" option reveals
 * `[data-control="breakdown-trait"]`, a text field) inside `root`; `onChange`
 * fires when the chosen breakdown changes. `value()` is the API parameter
 * (`channel`, `trait:plan`) or '' for none; a trait name that the API would
 * refuse marks the field invalid and counts as none.
 */
export function createBreakdownControl(root, onChange) {
  const select = root.querySelector('[data-control="breakdown"]');
  const trait = root.querySelector('[data-control="breakdown-trait"]');
  let current = '';

  function value() {
    if (select.value !== 'trait') return select.value;
    const name = trait.value.trim();
    return TRAIT_NAME.test(name) ? `trait:${name}` : '';
  }

  function changed() {
    trait.hidden = select.value !== 'trait';
    trait.setAttribute('aria-invalid', String(select.value === 'trait' && trait.value.trim() !== '' && value() === ''));
    if (value() === current) return;
    current = value();
    onChange(current);
  }

  select.addEventListener('change', changed);
  trait.addEventListener('change', changed);
  return { value: () => current };
}
