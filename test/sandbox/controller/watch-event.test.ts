import { expect } from 'chai';
import { parseJson } from '../../../src/json.ts';
import { taskEventOf } from '../../../src/sandbox/controller/watch-event.ts';

describe('sandbox/controller/watch-event', () => {
  const object = { metadata: { namespace: 'ns', name: 't' } };

  it('reads ADDED and MODIFIED as upserts, DELETED as a delete', () => {
    expect(taskEventOf({ type: 'ADDED', object })).to.deep.equal({ type: 'upsert', object });
    expect(taskEventOf({ type: 'MODIFIED', object })).to.deep.equal({ type: 'upsert', object });
    expect(taskEventOf({ type: 'DELETED', object })).to.deep.equal({ type: 'delete', object });
  });

  it("reads ERROR as 'error', and a BOOKMARK, an event without an object or no event as nothing", () => {
    expect(taskEventOf({ type: 'ERROR', object: { kind: 'Status', code: 410 } })).to.equal('error');
    expect(taskEventOf({ type: 'BOOKMARK', object })).to.equal(undefined);
    expect(taskEventOf({ type: 'ADDED', object: 'x' })).to.equal(undefined);
    expect(taskEventOf(parseJson('{"type": "ADDED"'))).to.equal(undefined);
    expect(taskEventOf([object])).to.equal(undefined);
  });
});
