/**
 * What both transports read from a watch: one JSON event (`{"type": ..., "object": ...}`, from the
 * HTTP stream or `kubectl get --watch --output-watch-events`, parsed with src/json.ts's parseJson)
 * as the loop's TaskEvent.
 */
import { isJsonObject } from '../../json.ts';
import type { TaskEvent } from './controller.ts';

/**
 * ADDED and MODIFIED upsert, DELETED deletes; 'error' for an ERROR event (410 Gone, say: the HTTP
 * transport relists), undefined for a BOOKMARK and for anything that is not an event with an object.
 */
export function taskEventOf(value: unknown): TaskEvent | 'error' | undefined {
  if (!isJsonObject(value) || !isJsonObject(value['object'])) return undefined;
  const object = value['object'];
  switch (value['type']) {
    case 'ADDED':
    case 'MODIFIED':
      return { type: 'upsert', object };
    case 'DELETED':
      return { type: 'delete', object };
    case 'ERROR':
      return 'error';
    default:
      return undefined;
  }
}
