import { asArray, field, isObject } from './template';

/** The service principal CloudWatch alarms act as when they publish to SNS and use the topic's key. */
export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';

export interface Statement {
  readonly effect: unknown;
  readonly principal: unknown;
  readonly actions: readonly unknown[];
  readonly hasCondition: boolean;
}

export function statementsOf(document: unknown): Statement[] {
  return asArray(field(document, 'Statement'))
    .filter(isObject)
    .map((s) => ({
      effect: s.Effect,
      principal: s.Principal,
      actions: asArray(s.Action),
      hasCondition: isObject(s.Condition) && Object.keys(s.Condition).length > 0,
    }));
}

/** Whether an IAM action pattern (with * and ?) matches `action`, case-insensitively as IAM does. */
function actionMatches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string') return false;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

export function grants(statement: Statement, action: string): boolean {
  return statement.actions.some((pattern) => actionMatches(pattern, action));
}

/**
 * Whether a statement's Principal covers the CloudWatch service principal: `*`, `{ AWS: '*' }`
 * (the shape of SNS's default policy, whose conditions scope it to the account's own services)
 * or the service itself.
 */
export function coversCloudWatch(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  if (asArray(principal.AWS).includes('*')) return true;
  return asArray(principal.Service).some((s) => typeof s === 'string' && s.startsWith('cloudwatch.'));
}
