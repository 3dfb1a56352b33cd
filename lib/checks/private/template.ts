import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * One resource as CloudFormation receives it: the rendered L1 (property overrides and DependsOn
 * included), with tokens resolved to intrinsics ({ Ref }, { 'Fn::GetAtt' }, ...). Rules read this
 * form, so they see the same thing for our constructs, aws-cdk-lib L2s, hand-written L1s and
 * CfnInclude'd templates.
 */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly dependsOn: readonly string[];
}

/** The resources of one stack (nested stacks are stacks of their own), by logical id. */
export class StackTemplate {
  private readonly byId = new Map<string, TemplateResource>();

  constructor(resources: Iterable<TemplateResource>) {
    for (const r of resources) this.byId.set(r.logicalId, r);
  }

  public resource(logicalId: string | undefined): TemplateResource | undefined {
    return logicalId === undefined ? undefined : this.byId.get(logicalId);
  }

  /** The resource a Ref / Fn::GetAtt points to, when it is in this stack and of one of `types`. */
  public target(value: unknown, ...types: string[]): TemplateResource | undefined {
    const r = this.resource(refTarget(value));
    return r && (types.length === 0 || types.includes(r.type)) ? r : undefined;
  }

  public ofType(type: string): TemplateResource[] {
    return [...this.byId.values()].filter((r) => r.type === type);
  }

  /**
   * Every resource `from` waits for before CloudFormation creates it: its DependsOn and the
   * resources its properties reference, transitively.
   */
  public dependenciesOf(from: TemplateResource): Set<string> {
    const seen = new Set<string>();
    const queue = [from];
    while (queue.length > 0) {
      const r = queue.pop()!;
      for (const id of [...r.dependsOn, ...referencesIn(r.properties)]) {
        if (seen.has(id)) continue;
        seen.add(id);
        const next = this.byId.get(id);
        if (next) queue.push(next);
      }
    }
    return seen;
  }
}

/**
 * Renders each stack once per validation run. `_toCloudFormation` is what aws-cdk-lib's own
 * synthesis calls per element; the construct tree is final when validation plugins run.
 */
export class TemplateCache {
  private readonly stacks = new Map<Stack, StackTemplate>();

  /** The stack template of `node`, and `node`'s own rendered resource. */
  public lookup(node: CfnResource): { template: StackTemplate; resource: TemplateResource } | undefined {
    const stack = Stack.of(node);
    let template = this.stacks.get(stack);
    if (!template) {
      template = new StackTemplate(renderStack(stack));
      this.stacks.set(stack, template);
    }
    const logicalId = stack.resolve(node.logicalId);
    const resource = typeof logicalId === 'string' ? template.resource(logicalId) : undefined;
    return resource ? { template, resource } : undefined;
  }
}

function* renderStack(stack: Stack): Iterable<TemplateResource> {
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack) continue;
    let rendered: unknown;
    try {
      rendered = stack.resolve((c as IConstruct & { _toCloudFormation(): object })._toCloudFormation());
    } catch {
      continue; // a resource that cannot render fails synthesis anyway, with its own message
    }
    const resources = field(rendered, 'Resources');
    if (!isObject(resources)) continue;
    for (const [logicalId, r] of Object.entries(resources)) {
      const type = field(r, 'Type');
      if (typeof type !== 'string') continue;
      const properties = field(r, 'Properties');
      const dependsOn = field(r, 'DependsOn');
      yield {
        logicalId,
        type,
        properties: isObject(properties) ? properties : {},
        dependsOn: [
          ...new Set([
            ...(Array.isArray(dependsOn) ? dependsOn.filter((d) => typeof d === 'string') : []),
            ...nodeDependencies(c, stack),
          ]),
        ],
      };
    }
  }
}

/**
 * The dependencies declared with `node.addDependency` on a resource or its scopes (L2s and
 * CfnInclude use them), which synthesis turns into DependsOn: rendered here too, so that a direct
 * `validateScope` sees what the deployed template will hold.
 */
function nodeDependencies(resource: CfnResource, stack: Stack): string[] {
  const ids: string[] = [];
  for (let scope: IConstruct | undefined = resource; scope && scope !== stack; scope = scope.node.scope) {
    for (const target of scope.node.dependencies) {
      for (const t of target.node.findAll()) {
        if (!CfnResource.isCfnResource(t) || t === resource || Stack.of(t) !== stack) continue;
        const id = stack.resolve(t.logicalId);
        if (typeof id === 'string') ids.push(id);
      }
    }
  }
  return ids;
}

// --- reading rendered JSON ---------------------------------------------------------------

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v[key]` when `v` is an object. */
export function field(v: unknown, ...path: string[]): unknown {
  let current = v;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function asArray(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A number, or a string that is one (templates written by hand often quote numbers). */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points to. */
export function refTarget(v: unknown): string | undefined {
  const ref = field(v, 'Ref');
  if (typeof ref === 'string') return ref;
  const getAtt = field(v, 'Fn::GetAtt');
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere in `v` (Ref, Fn::GetAtt, ${X} in Fn::Sub). */
export function referencesIn(v: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    for (const item of v) referencesIn(item, into);
  } else if (isObject(v)) {
    const target = refTarget(v);
    if (target !== undefined && !target.startsWith('AWS::')) into.add(target);
    const sub = v['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : '';
    for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = m[1].split('.')[0];
      if (!name.startsWith('AWS::')) into.add(name);
    }
    for (const value of Object.values(v)) referencesIn(value, into);
  }
  return into;
}

/** Marks where a flattened string had a reference to a resource (or another intrinsic: «?»). */
export const refMarker = (logicalId: string): string => `«${logicalId}»`;

/**
 * A string value with its intrinsics flattened: Fn::Join and Fn::Sub are assembled, a Ref or
 * Fn::GetAtt becomes «logicalId», anything else «?». Undefined when `v` is not string-like.
 */
export function flatten(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (!isObject(v)) return undefined;
  const target = refTarget(v);
  if (target !== undefined) return refMarker(target);
  const join = v['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => flatten(part) ?? refMarker('?')).join(join[0]);
  }
  const sub = v['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
  if (text !== undefined) {
    // ${Name} and ${Name.Attr} reference; ${!Literal} is the escape for a literal ${Literal}.
    return text
      .replace(/\$\{([^!}][^}]*)\}/g, (_m, name: string) => refMarker(name.split('.')[0]))
      .replace(/\$\{!/g, '${');
  }
  return refMarker('?');
}

/** Whether `v` is an intrinsic (or holds one) rather than a plain value. */
export function isIntrinsic(v: unknown): boolean {
  return isObject(v) && Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::'));
}
