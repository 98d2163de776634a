/**
 * Any value handed to a public function, as text for its error: strings as
 * they are, other values by kind, without calling a `toString` that may be
 * missing (`Object.create(null)`) or throw.
 */
export function inputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? '[array]' : '[object]';
  if (typeof value === 'function') return '[function]';
  if (typeof value === 'symbol') return '[symbol]';
  return String(value);
}
