// DOM building without innerHTML: strings from events (models, intents,
// conversation ids) only ever become text nodes.

/**
 * `h('td', { class: 'num', title: model }, model)`: attributes are set with
 * setAttribute (never `on*`), children are nodes or strings.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) throw new Error(`h(): event handler attribute ${name} is not allowed`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A plain data table: `columns` are { label, value(row) → string, numeric? }.
 */
export function dataTable(columns, rows, { caption } = {}) {
  return h(
    'table',
    { class: 'data-table' },
    caption === undefined ? null : h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: column.numeric ? 'num' : null }, column.label)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h('tr', {}, columns.map((column) => {
          const text = column.value(row);
          return h('td', { class: column.numeric ? 'num' : 'text', title: column.numeric ? null : text }, text);
        })),
      ),
    ),
  );
}
