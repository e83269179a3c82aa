// The demo chat: a scripted support bot wired to the Chatmeter SDK exactly
// as a customer's widget would be. window.chatmeter comes from the snippet.
const chatmeter = window.chatmeter;
const messages = document.getElementById('messages');
const composer = document.getElementById('composer');
const promptInput = document.getElementById('prompt');
const sentEvents = document.getElementById('sent-events');
const debugToggle = document.getElementById('debug-toggle');
const offlineBanner = document.getElementById('offline');

const MODELS = ['gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-70b'];
const ANSWERS = [
  [/refund|return|send (it )?back|exchange/i, 'You can return any item within 30 days. I have emailed you a prepaid return label; refunds reach your card 3–5 days after we receive the parcel.'],
  [/ship|deliver|track|parcel|package|arriv/i, 'Your order left our warehouse yesterday and should arrive in 2 business days. The tracking link is in your confirmation email.'],
  [/password|log ?in|account|email address|sign ?in/i, 'You can reset your password from the sign-in page with "Forgot password". The link is valid for one hour.'],
  [/pay|charge|invoice|card|bill/i, 'I can see one payment for that order. If you were charged twice, the duplicate authorisation disappears within 48 hours.'],
  [/crash|error|bug|not working|app/i, 'Sorry about that! Please update the app to the latest version and clear its cache; if it still fails, I can open a ticket.'],
  [/price|size|stock|colou?r|product|available/i, 'That model is in stock in sizes S–XL and costs $49. It ships in black, navy and sand.'],
];
const SUGGESTIONS = ['Where is my order?', 'How do I return these shoes?', 'I was charged twice', 'The app crashes on login', 'Is the jacket available in blue?'];

let conversationId = chatmeter.startConversation();

/** Events queued since the browser went offline: they wait in the SDK's queue until it is back. */
let waitingOffline = 0;

/** Shows every event the SDK queues, as queued (after redaction), keeping the newest in view. */
chatmeter.onEvent((event) => {
  // Follow new events only when the reader is at the end: scrolling back to read one stays put.
  const following = sentEvents.scrollHeight - sentEvents.scrollTop - sentEvents.clientHeight < 40;
  const item = document.createElement('li');
  item.textContent = JSON.stringify({ event: event.event ?? event.type, properties: event.properties ?? event.traits }, null, 1);
  sentEvents.append(item);
  if (following) scrollToEnd(sentEvents);
  if (!navigator.onLine) {
    waitingOffline += 1;
    showConnection();
  }
});

/** The offline banner: shown while the browser is offline, with the events waiting to be sent. */
function showConnection(sending = false) {
  offlineBanner.hidden = navigator.onLine && !sending;
  offlineBanner.dataset.waiting = String(waitingOffline);
  offlineBanner.textContent = sending
    ? `Back online: sending ${waitingOffline} waiting event${waitingOffline === 1 ? '' : 's'}…`
    : waitingOffline === 0
      ? 'Offline: new events wait in this browser until the connection is back.'
      : `Offline: ${waitingOffline} event${waitingOffline === 1 ? '' : 's'} waiting in this browser, sent when the connection is back.`;
}

window.addEventListener('offline', () => showConnection());
window.addEventListener('online', () => {
  showConnection(waitingOffline > 0);
  chatmeter.flush().then(() => {
    waitingOffline = 0;
    showConnection();
  });
});
showConnection();

debugToggle.checked = localStorage.getItem('chatmeter_debug') === '1';
chatmeter.setDebug(debugToggle.checked);
debugToggle.addEventListener('change', () => {
  chatmeter.setDebug(debugToggle.checked);
  localStorage.setItem('chatmeter_debug', debugToggle.checked ? '1' : '0');
});

document.getElementById('new-conversation').addEventListener('click', () => {
  conversationId = chatmeter.startConversation();
  messages.replaceChildren();
  addBubble('bot', 'New conversation started. How can I help?');
});

for (const suggestion of SUGGESTIONS) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = suggestion;
  button.addEventListener('click', () => ask(suggestion));
  document.getElementById('suggestions').append(button);
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = promptInput.value.trim();
  if (text === '') return;
  promptInput.value = '';
  ask(text);
});

function ask(text) {
  addBubble('user', text);
  const turn = chatmeter.trackPrompt({ text, conversationId });
  answer(turn, text);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The reply cut into the pieces a model streams: a word or two with their spacing. */
function chunksOf(reply) {
  return reply.match(/\S+\s*(\S+\s*)?/g) ?? [reply];
}

/**
 * The scripted bot: canned answers streamed in chunks after a realistic wait
 * for the first token (with a long tail), and occasional failures.
 * `regeneratedFrom` is set when the user asked for another answer to a turn
 * already answered: the response id of the answer being replaced.
 */
async function answer(turn, text, regeneratedFrom) {
  const typing = addBubble('bot typing', 'Shopbot is typing…');
  const model = MODELS[Math.floor(Math.random() * MODELS.length)];
  await pause(300 + Math.random() * 900 + (Math.random() < 0.1 ? 2500 : 0));
  typing.remove();
  // Absent before the bundle has loaded (a placeholder): the SDK then names the turn's previous answer.
  const regeneration = regeneratedFrom === undefined ? {} : { regeneratedFrom };
  if (Math.random() < 0.05) {
    const failed = turn.response({ status: 'error', model, errorType: 'upstream_error', errorMessage: 'The model provider returned 503', ...regeneration });
    const bubble = addBubble('bot error', 'Sorry, something went wrong on our side. Please try again.');
    bubble.append(actions(turn, text, failed, ''));
    return;
  }
  const reply = (ANSWERS.find(([pattern]) => pattern.test(text)) ?? [null, 'I can help with orders, returns, payments, your account and our products. Could you tell me a bit more?'])[1];
  const bubble = addBubble('bot streaming', '');
  let first = true;
  for (const chunk of chunksOf(reply)) {
    if (first) turn.firstToken();
    first = false;
    bubble.textContent += chunk;
    scrollToEnd(messages);
    await pause(25 + Math.random() * 60);
  }
  bubble.classList.remove('streaming');
  const promptTokens = 40 + text.length;
  const completionTokens = Math.round(reply.length / 4);
  const response = turn.response({
    text: reply,
    model,
    tokens: { prompt: promptTokens, completion: completionTokens },
    cost: Number(((promptTokens * 0.15 + completionTokens * 0.6) / 1e6).toFixed(8)),
    ...regeneration,
  });
  bubble.dataset.model = model;
  bubble.append(actions(turn, text, response, reply));
}

/** Feedback, copy and regenerate for one answer: every action names that answer (its response id). */
function actions(turn, text, response, reply) {
  const bar = document.createElement('div');
  bar.className = 'message-actions';
  const button = (label, title, onClick) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.textContent = label;
    element.title = title;
    element.addEventListener('click', () => onClick(element));
    bar.append(element);
    return element;
  };
  if (reply !== '') {
    const thumbs = (value) => (element) => {
      response.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value } });
      bar.querySelectorAll('.thumb').forEach((other) => other.classList.remove('chosen'));
      element.classList.add('chosen');
    };
    button('👍', 'Helpful', thumbs('up')).classList.add('thumb');
    button('👎', 'Not helpful', thumbs('down')).classList.add('thumb');
    const rating = document.createElement('select');
    rating.title = 'Rate this answer';
    rating.append(new Option('Rate…', ''), ...[1, 2, 3, 4, 5].map((value) => new Option(`${value} ★`, String(value))));
    rating.addEventListener('change', () => {
      if (rating.value === '') return;
      response.action({ actionType: 'feedback_given', feedback: { type: 'rating', value: Number(rating.value) } });
    });
    bar.append(rating);
    button('Copy', 'Copy the answer', (element) => {
      navigator.clipboard?.writeText(reply).catch(() => undefined);
      response.action({ actionType: 'copied_response' });
      element.textContent = 'Copied';
    });
  }
  button('Regenerate', 'Ask the bot again', () => {
    response.action({ actionType: 'regenerated' });
    // The new answer is timed from this click, not from the answer the user was reading.
    turn.regenerate();
    answer(turn, text, response.responseId);
  });
  return bar;
}

function addBubble(kind, text) {
  const item = document.createElement('li');
  item.className = `message ${kind}`;
  item.textContent = text;
  messages.append(item);
  scrollToEnd(messages);
  return item;
}

function scrollToEnd(list) {
  list.scrollTop = list.scrollHeight;
}

addBubble('bot', 'Hi! I am Shopbot. Ask me about an order, a return, a payment or your account.');
