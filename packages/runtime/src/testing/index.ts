/**
 * Testing helpers, imported as `cdk-kinesis-pipeline-runtime/testing`: an event source mapping
 * simulator that drives your Kinesis handler the way Lambda does (docs/testing.md).
 */
export {
  simulateEventSourceMapping,
  type SimulatedHandler,
  type SimulatedRecordInput,
  type SimulatedShardInput,
  type SimulationOptions,
  type SimulationReport,
  type SimulationTotals,
} from './simulator';
export { SimulatedContext, type InvocationObserver } from './simulated-context';
export type { LossReason, RecordReport } from './record-ledger';
export type { DiscardCondition, OnFailureDocument, OnFailureSink } from './on-failure-document';
export {
  AWS_DEFAULT_SETTINGS,
  resolveSettings,
  type EventSourceMappingSettings,
  type OnFailureDestinationType,
  type ResolvedSettings,
} from './settings';
export {
  settingsFromTemplate,
  type CloudFormationTemplate,
  type SettingsFromTemplateOptions,
} from './settings-from-template';
export { SIMULATION_HOOKS_KEY, type RecordPosition, type SimulationHooks } from '../kinesis-batch/simulation-hooks';
