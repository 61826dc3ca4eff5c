/**
 * The secret policy: which names hold secrets, and what is printed instead of their values. Both
 * redaction modules apply it, kubectl/redact.ts to argv and free text, render/redact.ts to
 * rendered manifests and a task's messages, so they never disagree about what a secret is.
 */

/** What stands where a secret value was. */
export const REDACTED = '<redacted>';

/** The words that make a name secret, as a regular expression alternation (case-insensitive). */
export const SECRET_WORDS = 'PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL';

/**
 * A name (template variable, JSON key, JSON-pointer segment, --from-literal key, container env
 * name) whose value is a secret. Not global: test() keeps no state between calls.
 */
export const SECRET_NAME = new RegExp(`(${SECRET_WORDS})`, 'i');
