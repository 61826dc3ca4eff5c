/**
 * Where Go's base64.StdEncoding (what encoding/json decodes a `[]byte` field with, Secret.data and
 * ConfigMap.binaryData among them) finds its input corrupt: the byte offset of its
 * CorruptInputError, `illegal base64 data at input byte N`. Padding is required; CR and LF are
 * skipped anywhere; bits left over in the last quantum are not checked (the encoding is not Strict).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='
const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;

/** The offset Go reports for `text` (as UTF-8 bytes), or undefined when it decodes. */
export function corruptBase64Offset(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  let si = 0;
  while (si < src.length) {
    // One quantum of four characters, as decodeQuantum reads it.
    let j = 0;
    while (j < 4) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j; // a partial quantum without its padding
      }
      const b = src[si] as number;
      si++;
      if ((VALUE[b] as number) >= 0) {
        j++;
        continue;
      }
      if (isNewline(b)) continue;
      if (b !== PAD) return si - 1;
      // Padding: "=" may only stand at the third or fourth place of a quantum, and ends the input.
      if (j === 0 || j === 1) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== PAD) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}
