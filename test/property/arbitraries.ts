/** Arbitraries shared by the property tests: strings that YAML, dotenv and JSON readers find hard. */
import fc from 'fast-check';

/** Pieces of syntax a value could use to escape its scalar, and scalars YAML 1.1 would retype. */
const TOKENS = [
  ': ', ':', '\n', '\r\n', '\r', '\t', ' ', '  ', '---', '...', '# ', '#', '&a ', '*a', '!!str ', '!!binary ', '!tag ', '!!map ',
  '{', '}', '{}', '[', ']', '[]', ',', '"', "'", '\\', '\\n', '|', '|-', '>', '- ', '? ', '%YAML 1.1', '@', '`',
  '<<', '<<: *a', '${X}', '${X:-d}', '$$', '$', '$X', 'yes', 'no', 'on', 'off', 'y', 'N', '~', 'null', 'true', 'True',
  '0x1F', '0o17', '0644', '0b101', '1_000', '1e3', '.inf', '-.nan', '12:30', '2001-12-14', '+1', '-0', '0', '1',
  '9007199254740993', '[1, 2]', '[yes, 0x1F]', '{a: 1}', 'a', 'key', 'Task', 'kind: Task', 'apiVersion: v1',
  '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe', '\u00e9', '\u65e5', '\ud83d\ude80',
];

/** A lone surrogate: what a JSON string can hold ("\ud800") and UTF-8 cannot. */
const LONE_SURROGATES = ['\ud800', '\udfff', 'a\udc00b'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
);
