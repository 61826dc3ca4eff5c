/**
 * The transitions a scheduler may ask of a Task, with the state each starts from and leads to.
 * Kept as data so the CLI, the bridge and KubectlTask agree on one table.
 */
import type { DesiredState } from './states.ts';

export type TransitionEvent = 'CONFIGURE' | 'START' | 'STOP' | 'RESET' | 'GO_ERROR' | 'RECOVER' | 'EXIT';

export interface TransitionRule {
  readonly from: DesiredState;
  readonly to: DesiredState;
  /** CONFIGURE carries the scheduler's arguments into spec.arguments. */
  readonly carries: 'arguments' | 'nothing';
}

export const TRANSITIONS: Readonly<Record<'CONFIGURE' | 'START' | 'STOP' | 'RESET', TransitionRule>> = {
  CONFIGURE: { from: 'standby', to: 'configured', carries: 'arguments' },
  START: { from: 'configured', to: 'running', carries: 'nothing' },
  STOP: { from: 'running', to: 'configured', carries: 'nothing' },
  RESET: { from: 'configured', to: 'standby', carries: 'nothing' },
};

const ALL_EVENTS: readonly TransitionEvent[] = ['CONFIGURE', 'START', 'STOP', 'RESET', 'GO_ERROR', 'RECOVER', 'EXIT'];

export type SupportedEvent = keyof typeof TRANSITIONS;

export function parseTransitionEvent(raw: string): TransitionEvent | undefined {
  const upper = raw.trim().toUpperCase();
  return ALL_EVENTS.find((event) => event === upper);
}

export function ruleFor(event: TransitionEvent): TransitionRule | undefined {
  return event in TRANSITIONS ? TRANSITIONS[event as SupportedEvent] : undefined;
}
