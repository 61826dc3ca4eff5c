/**
 * kubectl's watch output (`get --watch -o json --output-watch-events`), read by the object
 * watcher and the informer alike: JsonValueSplitter cuts it into JSON values, parseWatchEvent
 * reads each as an event. kubectl 1.32 prints one compact line per event, older releases
 * pretty-print each event over many lines, so values are cut by brace depth rather than by line.
 */
import createDebug from 'debug';
import { isJsonObject, parseJson } from '../json.ts';
import type { KubeObject } from '../kubectl/types.ts';

const debug = createDebug('kubectl-task:watch');

export interface WatchEventValue {
  /** ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
  readonly type: string;
  /** The object; for an ERROR, the Status the server sent (it has no name). */
  readonly object: KubeObject;
}

/** One value of the output as an event; undefined (and a debug line) for anything else. */
export function parseWatchEvent(text: string): WatchEventValue | undefined {
  const value = parseJson(text);
  const object = isJsonObject(value) ? value['object'] : undefined;
  if (!isJsonObject(value) || typeof value['type'] !== 'string' || (value['type'] === 'ERROR' ? !isJsonObject(object) : !isNamedObject(object))) {
    debug('ignoring watch output that is not an event: %s', text.slice(0, 200));
    return undefined;
  }
  return { type: value['type'], object: object as KubeObject };
}

/** An object with a metadata.name: what a watch event or a raw list item must be at least. */
export function isNamedObject(value: unknown): value is KubeObject {
  if (!isJsonObject(value)) return false;
  const metadata = value['metadata'];
  return isJsonObject(metadata) && typeof metadata['name'] === 'string';
}

/** Cuts the output into JSON values (see above). */
export class JsonValueSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds one line (without its newline); returns the complete values it closed. */
  push(line: string): string[] {
    const complete: string[] = [];
    for (const ch of line) {
      if (this.depth === 0 && ch !== '{' && ch !== '[') {
        // Text between values (blank lines, stray output) is not part of any value.
        continue;
      }
      this.buffer += ch;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth += 1;
      else if (ch === '}' || ch === ']') {
        this.depth -= 1;
        if (this.depth === 0) {
          complete.push(this.buffer);
          this.buffer = '';
        }
      }
    }
    if (this.depth > 0) this.buffer += '\n';
    return complete;
  }

  /** True when a value was started but not finished (the stream was cut mid-event). */
  get pending(): boolean {
    return this.depth > 0;
  }
}
