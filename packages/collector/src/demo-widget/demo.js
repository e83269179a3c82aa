// The demo chat: a scripted support bot wired to the Chatmeter SDK exactly
// as a customer's widget would be. window.chatmeter comes from the snippet.
const chatmeter = window.chatmeter;
const messages = document.getElementById('messages');
const composer = document.getElementById('composer');
const promptInput = document.getElementById('prompt');
const sentEvents = document.getElementById('sent-events');
const debugToggle = document.getElementById('debug-toggle');

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

/** Shows every event the SDK queues, as queued (after redaction). */
chatmeter.onEvent((event) => {
  const item = document.createElement('li');
  item.textContent = JSON.stringify({ event: event.event ?? event.type, properties: event.properties ?? event.traits }, null, 1);
  sentEvents.append(item);
});

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

/** The scripted bot: canned answers with realistic delays and occasional failures. */
function answer(turn, text, regenerated = false) {
  const typing = addBubble('bot typing', 'Shopbot is typing…');
  const model = MODELS[Math.floor(Math.random() * MODELS.length)];
  const delay = 400 + Math.random() * 1600 + (Math.random() < 0.1 ? 3000 : 0);
  setTimeout(() => {
    typing.remove();
    const roll = Math.random();
    if (roll < 0.05) {
      turn.response({ status: 'error', model, errorType: 'upstream_error', errorMessage: 'The model provider returned 503' });
      addBubble('bot error', 'Sorry, something went wrong on our side. Please try again.');
      return;
    }
    const reply = (ANSWERS.find(([pattern]) => pattern.test(text)) ?? [null, 'I can help with orders, returns, payments, your account and our products. Could you tell me a bit more?'])[1];
    const promptTokens = 40 + text.length;
    const completionTokens = Math.round(reply.length / 4);
    turn.response({
      text: reply,
      model,
      tokens: { prompt: promptTokens, completion: completionTokens },
      cost: Number(((promptTokens * 0.15 + completionTokens * 0.6) / 1e6).toFixed(8)),
      properties: regenerated ? { regenerated: true } : {},
    });
    const bubble = addBubble('bot', reply);
    bubble.append(actions(turn, text, reply));
  }, delay);
}

function actions(turn, text, reply) {
  const bar = document.createElement('div');
  bar.className = 'message-actions';
  const base = { conversationId: turn.conversationId, promptNumber: turn.promptNumber };
  const button = (label, title, onClick) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.textContent = label;
    element.title = title;
    element.addEventListener('click', () => onClick(element));
    bar.append(element);
    return element;
  };
  const thumbs = (value) => (element) => {
    chatmeter.trackAction({ ...base, actionType: 'feedback_given', feedback: { type: 'thumbs', value } });
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
    chatmeter.trackAction({ ...base, actionType: 'feedback_given', feedback: { type: 'rating', value: Number(rating.value) } });
  });
  bar.append(rating);
  button('Copy', 'Copy the answer', (element) => {
    navigator.clipboard?.writeText(reply).catch(() => undefined);
    chatmeter.trackAction({ ...base, actionType: 'copied_response' });
    element.textContent = 'Copied';
  });
  button('Regenerate', 'Ask the bot again', () => {
    chatmeter.trackAction({ ...base, actionType: 'regenerated' });
    const startedAt = Date.now();
    const again = { ...turn, response: (props) => chatmeter.trackResponse({ ...props, ...base, latencyMs: Date.now() - startedAt }) };
    answer(again, text, true);
  });
  return bar;
}

function addBubble(kind, text) {
  const item = document.createElement('li');
  item.className = `message ${kind}`;
  item.textContent = text;
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
  return item;
}

addBubble('bot', 'Hi! I am Shopbot. Ask me about an order, a return, a payment or your account.');
