/**
 * JSON values as manifests, API responses and the bridge carry them: the one neutral vocabulary
 * that the product modules and the sandbox share (neither imports the other for it).
 */
/** Plain JSON, as found in manifests and API responses. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object (not null, not an array): the one guard every module narrows with. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse that answers undefined for text that is not JSON, where the caller has its own error to give. */
export function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
