/**
 * One-line summaries for declarations, made from their names: the most a
 * generator without a model can honestly say. `getUserName` → "Gets user
 * name.", `isEven(n)` → "Whether `n` is even.", `topByValue(items, count)`
 * → "The top by value for `items` and `count`.", class `Inventory` → "An
 * inventory.".
 */

const VERBS = new Set(
  (
    'accept add adjust aggregate allocate append apply assert assign attach authenticate authorize await build bump cache calculate ' +
    'call cancel capitalize check clamp clean clear clone close collect combine compare compile compose compute configure connect ' +
    'convert copy count create debounce decode decrement deduplicate delete deserialize destroy detect diff disable dispatch ' +
    'emit enable encode encrypt ensure enqueue escape estimate evaluate execute expand export extract fetch fill filter find ' +
    'flatten flush format generate get group handle hash hydrate import increment index infer init initialize insert invert ' +
    'invoke join load lock log lookup make map mark match measure merge migrate mount move normalize notify observe open order ' +
    'pad paginate parse patch persist pick pluck poll pop prepare print process publish pull push put query queue read rebuild ' +
    'receive record reduce refresh register reject release reload remove render repeat replace report request reset resolve ' +
    'restore retry return reverse round run sanitize save scale scan schedule search select send serialize set shift shuffle ' +
    'sign slice slugify sort split start stop store strip subscribe subtract sum summarize swap sync tally throttle toggle ' +
    'tokenize track transform translate trim truncate try unlock unmount unsubscribe unwrap update upload upsert use validate ' +
    'verify visit wait walk watch wrap write'
  ).split(' '),
);

const PREDICATES = new Set(['is', 'has', 'can', 'should', 'was', 'were', 'are', 'does', 'needs']);

/** Splits camelCase, PascalCase, snake_case and SCREAMING_CASE into lower-case words (acronyms kept whole). */
export function splitWords(name: string): string[] {
  const screaming = /^[A-Z0-9_$]+$/.test(name);
  return name
    .replace(/^[_$#]+|[_$]+$/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$-]+/)
    .filter(Boolean)
    .map((w) => (!screaming && /^[A-Z][A-Z0-9]+$/.test(w) ? w : w.toLowerCase()));
}

export function thirdPerson(verb: string): string {
  if (verb === 'do' || verb === 'go') return `${verb}es`;
  if (/(s|x|z|ch|sh)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

function code(names: string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) && !/^(uni|use|eu|one)/i.test(word) ? 'an' : 'a';
}

export function functionSummary(name: string, params: string[]): string {
  const words = name === 'default' ? [] : splitWords(name);
  if (words.length === 0) return params.length ? `The module's default function, of ${code(params)}.` : "The module's default function.";
  const [first, ...rest] = words;
  if (PREDICATES.has(first)) {
    const subject = params.length === 1 ? code(params) : 'it';
    const verb = first === 'has' || first === 'can' || first === 'should' || first === 'needs' || first === 'does' ? first : 'is';
    return `Whether ${subject} ${verb}${rest.length ? ` ${rest.join(' ')}` : ''}.`;
  }
  if (first === 'to' && rest.length) return `Converts ${params.length ? `${code(params)} ` : ''}to ${rest.join(' ')}.`;
  if (first === 'on' && rest.length) return `Handles ${rest.join(' ')}.`;
  if (VERBS.has(first)) {
    const object = rest.length ? rest.join(' ') : params.length ? code(params) : '';
    return `${capitalize(thirdPerson(first))}${object ? ` ${object}` : ''}.`;
  }
  return `The ${words.join(' ')}${params.length ? ` for ${code(params)}` : ''}.`;
}

export function typeSummary(name: string, kind: 'class' | 'interface' | 'type' | 'enum'): string {
  if (name === 'default') return "The module's default class.";
  const words = splitWords(name);
  const phrase = words.join(' ') || name;
  if (kind === 'enum') return `The ${phrase} options.`;
  return `${capitalize(article(phrase))} ${phrase}.`;
}

export function valueSummary(name: string): string {
  const words = splitWords(name);
  return `The ${words.join(' ') || name}.`;
}
