import { ALARM_RULES } from './alarm-rules';
import { ESM_RULES } from './esm-rules';
import { FIREHOSE_RULES } from './firehose-rules';
import { GLUE_RULES } from './glue-rules';
import type { StreamingRule } from './rule';
import { STREAM_RULES } from './stream-rules';
import { TOPIC_RULES } from './topic-rules';

/** Every rule of StreamingChecks, in the order of docs/checks.md. */
export const STREAMING_RULES: readonly StreamingRule[] = [
  ...ESM_RULES,
  ...ALARM_RULES,
  ...TOPIC_RULES,
  ...FIREHOSE_RULES,
  ...GLUE_RULES,
  ...STREAM_RULES,
];

/** The pack's prefix of rule ids, as cdk-nag prints them: `Streaming-EsmRetryAttempts`. */
export const PACK_NAME = 'Streaming';
