// The dashboard's orchestrator: read key → filters → every panel loads its
// metrics in parallel and renders itself. Each panel module knows one
// metric family; this file only sequences them.

import { createApiClient, UnauthorizedError } from './api.js';
import { createControls, trafficParams } from './controls.js';
import { formatInteger } from './format.js';
import { askForKey } from './key-gate.js';
import { createPanel } from './panel.js';
import { clearReadKey, loadReadKey, saveReadKey } from './read-key.js';
import { PANELS } from './panels/index.js';

// Often enough to follow live traffic, rarely enough that an open tab costs
// the collector almost nothing (one request per panel per 30 s).
const AUTO_REFRESH_MS = 30_000;

const byId = (id) => document.getElementById(id);
const gate = byId('gate');
const content = byId('content');
const updated = byId('updated');

let readKey = loadReadKey();
let pendingKey = null;
// Responses of a superseded refresh are dropped rather than aborted, so a
// quick change of filters never leaves half-drawn panels or cancelled requests.
let generation = 0;
let autoRefreshTimer;

const fetchMetric = createApiClient({ getKey: () => readKey ?? '' });
const panels = PANELS.map((definition) => {
  const element = document.querySelector(`[data-panel="${definition.name}"]`);
  if (element === null) throw new Error(`index.html has no panel "${definition.name}"`);
  return { definition, panel: createPanel(element) };
});
// Panels with controls of their own (cost's trait, retention's breakdown) reload the page's panels when they change.
for (const { definition, panel } of panels) definition.init?.(panel, () => void refresh());
const controls = createControls(byId('controls'), {
  onChange: () => void refresh(),
  onAutoRefreshChange: setAutoRefresh,
});

byId('refresh').addEventListener('click', () => void refresh());
byId('change-key').addEventListener('click', async () => {
  clearReadKey();
  readKey = null;
  await obtainKey();
  void refresh();
});

/** One key prompt at a time, however many requests answered 401. */
function obtainKey(message) {
  pendingKey ??= askForKey(gate, message === undefined ? {} : { message }).then((key) => {
    readKey = key;
    saveReadKey(key);
    pendingKey = null;
    return key;
  });
  return pendingKey;
}

/**
 * Reloads every panel. `background` (auto-refresh) keeps the current
 * content on screen instead of flashing loading states.
 */
async function refresh({ background = false } = {}) {
  const current = ++generation;
  const query = controls.query();
  const queryKey = new URLSearchParams(query).toString();
  updated.textContent = 'Updating…';
  let unauthorized = false;

  const loadPanel = async ({ definition, panel }) => {
    if (background) panel.busy(true);
    else panel.loading();
    const { scoped, ignored } = scopeQuery(query, definition.filters);
    panel.setScopeNote(ignored.length === 0 ? null : `All ${ignored.map((name) => `${name}s`).join(' and ')}`, ignored.length === 0 ? '' : `This metric is not broken down by ${ignored.join(' or ')}; it counts every one.`);
    try {
      const data = await definition.load(fetchMetric, scoped, panel);
      if (current !== generation) return;
      const hasData = definition.render(panel, data);
      if (hasData) panel.ready();
      else panel.empty();
    } catch (error) {
      if (current !== generation) return;
      if (error instanceof UnauthorizedError) unauthorized = true;
      // API errors are expected states and shown in the panel; anything
      // else is a bug in the page and also goes to the console.
      else if (!(error instanceof Error && error.name === 'ApiError')) console.error(`panel ${definition.name} failed`, error);
      panel.error(error);
    } finally {
      if (current === generation) {
        panel.busy(false);
        panel.setQuery(queryKey);
      }
    }
  };

  await Promise.all([...panels.map(loadPanel), loadFilterOptions(query, current), loadExcludedTraffic(query, current)]);
  if (current !== generation) return;
  if (unauthorized) {
    clearReadKey();
    readKey = null;
    updated.textContent = '';
    await obtainKey('That read key was not accepted. Enter it again.');
    void refresh();
    return;
  }
  updated.textContent = `Updated ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
}

/**
 * The API answers 400 to a filter a metric does not support (a prompt has
 * no model, retention has no intent), so each panel gets only its own.
 */
function scopeQuery(query, supported) {
  const scoped = { from: query.from, to: query.to, tz: query.tz, ...trafficParams(query) };
  const ignored = [];
  for (const name of ['model', 'intent']) {
    if (query[name] === '') continue;
    if (supported.includes(name)) scoped[name] = query[name];
    else ignored.push(name);
  }
  return { scoped, ignored };
}

/**
 * Says how many users the numbers leave out as bots or internal, so that
 * nothing disappears silently; the toggles bring them back.
 */
async function loadExcludedTraffic(query, current) {
  const line = byId('excluded-traffic');
  try {
    const { excluded_users: excluded } = await fetchMetric('excluded-traffic', { from: query.from, to: query.to, tz: query.tz, ...trafficParams(query) });
    if (current !== generation) return;
    const users = (count, kind) => `${formatInteger(count)} ${kind} ${count === 1 ? 'user' : 'users'}`;
    line.textContent = `Left out of the numbers: ${users(excluded.bots, 'bot')}, ${users(excluded.internal, 'internal')}`;
    line.hidden = false;
  } catch (failure) {
    if (current !== generation || failure instanceof UnauthorizedError) return;
    line.hidden = true;
  }
}

/**
 * Model and intent choices come from the range without those filters, so
 * picking one model does not hide the others from the list.
 */
async function loadFilterOptions(query, current) {
  const unfiltered = { from: query.from, to: query.to, tz: query.tz, ...trafficParams(query) };
  const error = byId('controls-error');
  try {
    const [models, intents] = await Promise.all([
      fetchMetric('errors', { ...unfiltered, group_by: 'model' }),
      fetchMetric('intents', unfiltered),
    ]);
    if (current !== generation) return;
    controls.setFilterOptions({
      models: (Array.isArray(models) ? models : []).map((row) => row.key),
      intents: (Array.isArray(intents) ? intents : []).map((row) => row.intent),
    });
  } catch (failure) {
    if (current !== generation || failure instanceof UnauthorizedError) return;
    error.hidden = false;
    error.textContent = `Could not load the model and intent choices: ${failure instanceof Error ? failure.message : String(failure)}`;
  }
}

function setAutoRefresh(enabled) {
  clearInterval(autoRefreshTimer);
  if (!enabled) return;
  autoRefreshTimer = setInterval(() => {
    // A hidden tab does not need fresh numbers; it refreshes when shown.
    if (document.visibilityState === 'visible' && pendingKey === null) void refresh({ background: true });
  }, AUTO_REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && controls.autoRefresh() && readKey !== null && pendingKey === null) void refresh({ background: true });
});

async function start() {
  if (readKey === null) await obtainKey();
  for (const id of ['controls', 'footer', 'change-key']) byId(id).hidden = false;
  content.hidden = false;
  setAutoRefresh(controls.autoRefresh());
  await refresh();
}

void start();
