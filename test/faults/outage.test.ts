/**
 * Connection refused for 30 s (the scenario is in outage.ts; it started with the first fault file
 * and ran alongside the others). Outcomes, for KubectlTask, TaskFleet and the bridge:
 *   - a transition asked for during the outage fails with Unreachable after the runner's retries
 *     (seconds, not the outage's length), and works once the server is back;
 *   - a kill asked for during the outage fails the same way (TASK_FAILED "kill failed"), and the
 *     task stays known: the kill asked again removes every object;
 *   - nothing is lost: the Task moved on during the outage, and that is reported once afterwards;
 *   - a grace period shorter than the outage (KubectlTask and serve: 10 s) reports
 *     TASK_UNREACHABLE once, then the task's state again; a longer one (the fleet's 60 s) nothing.
 */
import { expect } from 'chai';
import { sequence } from './harness.ts';
import { GRACE_MS, OUTAGE_MS, startLongOutage } from './outage.ts';

describe('fault matrix: connection refused for 30 s (own sandbox, alongside the other cases)', function () {
  this.timeout(150_000);

  it('fails what is asked meanwhile with Unreachable, reports TASK_UNREACHABLE only past the grace period, and loses nothing', async () => {
    const outcome = await startLongOutage();
    expect(outcome.outageMs).to.equal(OUTAGE_MS);
    // A kill refused by the outage leaves the task known: asked again, it removes everything.
    expect(outcome.leftOfO3).to.equal(0);
    for (const kind of ['task', 'fleet', 'bridge']) {
      expect(outcome.refused[kind]?.reason, `${kind}: ${outcome.refused[kind]?.message}`).to.equal('Unreachable');
      expect(outcome.refused[kind]?.message, kind).to.match(/was refused.*\(gave up after 5 attempts\)$/);
      // Bounded by the outage, not by a timing guess: a loaded machine stretches the retries, not past the outage.
      expect(outcome.refusedAfterMs[kind], `${kind}: failed after the retries, not at the end of the outage`).to.be.below(OUTAGE_MS - 5000);
      expect(outcome.retried[kind], kind).to.equal('configured');
      // KubectlTask.kill() resolves with the state it ended in; the fleet and the bridge reject.
      if (kind === 'task') expect(outcome.killRefused[kind]?.state, kind).to.equal('TASK_FAILED');
      else expect(outcome.killRefused[kind]?.reason, `${kind}: ${outcome.killRefused[kind]?.message}`).to.equal('Unreachable');
      expect(outcome.killedAgain[kind], kind).to.equal('TASK_FAILED');
      const o3 = outcome.updates[kind]?.['o3'] ?? [];
      expect(sequence(o3, `${kind}/o3`), kind).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_FAILED']);
      expect(o3.at(-1)?.reason, kind).to.equal('Unreachable');
      expect(o3.at(-1)?.message, kind).to.match(/^kill failed: /);
      const o1 = sequence(outcome.updates[kind]?.['o1'] ?? [], `${kind}/o1`);
      const o2 = sequence(outcome.updates[kind]?.['o2'] ?? [], `${kind}/o2`);
      if (kind === 'fleet') {
        expect(o1, kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running']);
        expect(o2, kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured']);
      } else {
        expect(o1, kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'TASK_UNREACHABLE', 'running']);
        expect(o2, kind).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_UNREACHABLE', 'standby', 'configured']);
        const unreachable = outcome.updates[kind]?.['o2']?.find((u) => u.state === 'TASK_UNREACHABLE');
        expect(unreachable?.reason, kind).to.equal('Unreachable');
        expect(unreachable?.message, kind).to.match(new RegExp(`could not be reached for ${GRACE_MS} ms`));
      }
    }
  });
});
