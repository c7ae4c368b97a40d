// Realistic chat request bodies for the policy and redaction benches: ordinary prose with an email, phone numbers
// or a key in one message out of eight, so the redactor has something to rewrite, as in real traffic.

const PROSE = [
  'Can you summarise the attached meeting notes and list the action items with owners?',
  'The customer wrote in about a delayed shipment; their order number is 58213 and it left the warehouse on Tuesday.',
  'Rewrite the following paragraph in a friendlier tone, keeping it under 120 words.',
  'Here is the draft of the quarterly update: revenue grew in every region and churn fell for the third quarter.',
  'Thanks, that helps. Can you also suggest three subject lines for the follow-up email to the team?',
];
const SENSITIVE = [
  'Please reply to ana.souza@example.org and copy the account manager.',
  'Call back on +44 20 7946 0958 after 3pm, or on (415) 555-0132 if it is urgent.',
  `Our staging key is ${['sk', 'proj', 'Q7w'.repeat(14)].join('-')}; do not share it.`,
];

/**
 * A chat request of about `bytes` bytes: alternating user/assistant turns of ordinary prose, with an email, phone
 * numbers or a key in one message out of eight (so the redactor has something to rewrite, as in real traffic).
 */
export function chatBody(bytes: number): string {
  const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: 'You are a helpful support assistant.' }];
  let size = 200;
  for (let i = 0; size < bytes; i += 1) {
    const first = i % 8 === 3 ? SENSITIVE[(i >> 3) % SENSITIVE.length] : PROSE[i % PROSE.length];
    const content = `${first} ${PROSE[(i * 7 + 3) % PROSE.length]}`;
    messages.push({ role: i % 2 === 0 ? 'user' : 'assistant', content });
    size += content.length + 40;
  }
  return JSON.stringify({ model: 'gpt-4o-mini', messages });
}
