// The filter bar: date range, time zone, model, intent, traffic toggles, auto-refresh. Its
// state is mirrored in the URL query (never the key), so a view can be
// reloaded or shared.

import { addDays, isIsoDate, todayIn } from './dates.js';
import { h } from './dom.js';
import { browserTimeZone, isValidTimeZone, timeZoneChoices } from './time-zones.js';

export const DEFAULT_RANGE_DAYS = 30;

/**
 * Traffic the API leaves out unless asked for, one toggle each: debug-mode
 * events, bots (crawlers, automated browsers), internal users.
 */
export const TRAFFIC_TOGGLES = [
  { id: 'include-debug', param: 'include_debug' },
  { id: 'include-bots', param: 'include_bots' },
  { id: 'include-internal', param: 'include_internal' },
];

/** The include_* parameters a query carries (each only when asked for). */
export function trafficParams(query) {
  const params = {};
  for (const { param } of TRAFFIC_TOGGLES) if (query[param] !== undefined) params[param] = query[param];
  return params;
}
const DEBOUNCE_MS = 250;

/**
 * Wires the form; `onChange(query)` fires (debounced) after a valid change.
 * Returns { query(), setFilterOptions(), autoRefresh() }.
 */
export function createControls(form, { onChange, onAutoRefreshChange }) {
  const fields = {
    from: form.querySelector('#from'),
    to: form.querySelector('#to'),
    tz: form.querySelector('#tz'),
    model: form.querySelector('#model'),
    intent: form.querySelector('#intent'),
    autoRefresh: form.querySelector('#auto-refresh'),
  };
  const error = form.querySelector('#controls-error');
  const initial = initialState(new URLSearchParams(location.search));

  fields.tz.replaceChildren(...timeZoneChoices().concat(timeZoneChoices().includes(initial.tz) ? [] : [initial.tz]).map((zone) => h('option', { value: zone }, zone === browserTimeZone() ? `${zone} (this browser)` : zone)));
  fields.tz.value = initial.tz;
  fields.from.value = initial.from;
  fields.to.value = initial.to;
  setOptions(fields.model, 'All models', [], initial.model);
  setOptions(fields.intent, 'All intents', [], initial.intent);
  fields.autoRefresh.checked = initial.auto;
  const trafficToggles = TRAFFIC_TOGGLES.map(({ id, param }) => ({ input: form.querySelector(`#${id}`), param }));
  for (const { input, param } of trafficToggles) input.checked = initial.traffic.includes(param);

  let timer;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const problem = validate(query());
      error.hidden = problem === null;
      error.textContent = problem ?? '';
      if (problem !== null) return;
      writeUrl(query(), fields.autoRefresh.checked);
      onChange(query());
    }, DEBOUNCE_MS);
  };
  for (const name of ['from', 'to', 'tz', 'model', 'intent']) fields[name].addEventListener('change', changed);
  for (const { input } of trafficToggles) input.addEventListener('change', changed);
  fields.autoRefresh.addEventListener('change', () => {
    writeUrl(query(), fields.autoRefresh.checked);
    onAutoRefreshChange(fields.autoRefresh.checked);
  });
  form.addEventListener('submit', (event) => event.preventDefault());

  /** Each include_* is only present when asked for: the API leaves that traffic out by default. */
  function query() {
    const values = { from: fields.from.value, to: fields.to.value, tz: fields.tz.value, model: fields.model.value, intent: fields.intent.value };
    for (const { input, param } of trafficToggles) if (input.checked) values[param] = 'true';
    return values;
  }

  return {
    query,
    autoRefresh: () => fields.autoRefresh.checked,
    /** Filter choices seen in the data; the current choice always stays listed. */
    setFilterOptions({ models, intents }) {
      setOptions(fields.model, 'All models', models, fields.model.value);
      setOptions(fields.intent, 'All intents', intents, fields.intent.value);
    },
  };
}

function initialState(params) {
  const tz = isValidTimeZone(params.get('tz')) ? params.get('tz') : browserTimeZone();
  const to = isIsoDate(params.get('to')) ? params.get('to') : todayIn(tz);
  const from = isIsoDate(params.get('from')) ? params.get('from') : addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  return { tz, from, to, model: params.get('model') ?? '', intent: params.get('intent') ?? '', auto: params.get('auto') === '1',
    traffic: TRAFFIC_TOGGLES.map(({ param }) => param).filter((param) => params.get(param) === 'true'),
  };
}

function validate({ from, to }) {
  if (!isIsoDate(from) || !isIsoDate(to)) return 'Pick both a start and an end date.';
  if (from > to) return 'The start date must be on or before the end date.';
  return null;
}

function setOptions(select, allLabel, values, selected) {
  const unique = [...new Set(values.filter((value) => typeof value === 'string' && value !== ''))].sort((a, b) => a.localeCompare(b));
  if (selected !== '' && !unique.includes(selected)) unique.unshift(selected);
  // textContent via h(): model and intent names come from events.
  select.replaceChildren(h('option', { value: '' }, allLabel), ...unique.map((value) => h('option', { value }, value)));
  select.value = selected;
}

function writeUrl(query, auto) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== '') params.set(name, value);
  if (auto) params.set('auto', '1');
  history.replaceState(null, '', `${location.pathname}?${params}`);
}
