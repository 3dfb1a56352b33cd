/**
 * Every acknowledgment the constructs make sits on the resource it is about: a CloudFormation
 * element, or the L2 construct wrapping exactly one (its `defaultChild`), such as a role, a
 * function (whose grants land in its role) or a bucket. Never on a stack, a stage or a composite
 * construct: there it would also hide the findings of every resource the user adds beside ours.
 *
 * Acknowledgments are read from the construct tree (aws-cdk-lib's `Validations.acknowledge`
 * records them as `aws:cdk:acknowledged-rules` metadata on the construct they were made on), after
 * synthesis, in the reference app and in a default StreamingPipeline stack.
 */
import { CfnElement, Stack, Stage, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { buildReferenceApp } from '../../bin/reference-app';
import { StreamingPipeline } from '../../lib/pipeline';
import { createTestApp } from '../support/app';

interface Acknowledgment {
  readonly id: string;
  readonly at: IConstruct;
}

function acknowledgmentsOf(root: IConstruct): Acknowledgment[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => ({ id, at: construct }))),
    );
}

/** Why an acknowledgment's scope is wider than one resource, or undefined when it is not. */
function tooWide(construct: IConstruct): string | undefined {
  if (Stack.isStack(construct)) return 'a stack';
  if (Stage.isStage(construct)) return 'a stage or app';
  if (CfnElement.isCfnElement(construct)) return undefined;
  const child = construct.node.defaultChild;
  if (child && CfnElement.isCfnElement(child)) return undefined;
  return 'a construct that is no single resource (no CloudFormation element as its defaultChild)';
}

function wideAcknowledgments(root: IConstruct): string[] {
  return acknowledgmentsOf(root)
    .map((a) => ({ a, why: tooWide(a.at) }))
    .filter(({ why }) => why !== undefined)
    .map(({ a, why }) => `${a.id} on ${a.at.node.path} (${why})`);
}

describe('acknowledgments sit on the resource they are about', () => {
  test('the reference app', () => {
    const app = createTestApp({ context: { stackName: 'ReferencePipeline' } });
    buildReferenceApp(app);
    app.synth();
    expect(acknowledgmentsOf(app).length).toBeGreaterThan(10);
    expect(wideAcknowledgments(app)).toEqual([]);
  });

  test('a default StreamingPipeline', () => {
    const app = createTestApp();
    new StreamingPipeline(new Stack(app, 'Default'), 'Pipeline');
    app.synth();
    expect(acknowledgmentsOf(app).length).toBeGreaterThan(0);
    expect(wideAcknowledgments(app)).toEqual([]);
  });

  test('the check reports an acknowledgment on a stack', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Probe');
    Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::W7001', reason: 'probe' });
    expect(wideAcknowledgments(app)).toEqual(['CloudFormation-Validate::W7001 on Probe (a stack)']);
  });
});
