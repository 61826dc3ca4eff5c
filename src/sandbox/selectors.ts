/** Label and field selectors as the apiserver parses and matches them. */

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!exists';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** All requirements must hold (AND); no requirement selects everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

export class SelectorError extends Error {
  override name = 'SelectorError';
}

export function parseLabelSelector(s: string): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (m) {
      requirements.push({ key: m[1]!.trim(), operator: m[2] as LabelOperator, values: [m[3]!.trim()] });
    } else if (part.startsWith('!')) {
      requirements.push({ key: part.slice(1).trim(), operator: '!exists', values: [] });
    } else {
      requirements.push({ key: part, operator: 'exists', values: [] });
    }
  }
  return { requirements };
}

export function matchesLabels(sel: LabelSelector, labels?: Record<string, string>): boolean {
  const l = labels ?? {};
  return sel.requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        return has && r.values.includes(v ?? '');
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v ?? '');
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    requirements.push({ field: m[1]!.trim(), operator: m[2] as FieldOperator, value: m[3]!.trim() });
  }
  return { requirements };
}

export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => {
    const v = fields[r.field] ?? '';
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}
