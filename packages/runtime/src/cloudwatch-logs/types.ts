/**
 * What a CloudWatch Logs subscription filter delivers to Kinesis Data Streams, Firehose or Lambda,
 * once base64-decoded and gunzipped.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
export interface CloudWatchLogsData {
  /**
   * 'DATA_MESSAGE' for log events; 'CONTROL_MESSAGE' for the messages CloudWatch Logs sends to
   * check that the destination is reachable (they carry no log events of yours).
   */
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  /** The AWS account ID of the log group ('CloudwatchLogs' for control messages). */
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  /** Names of the subscription filters that matched. */
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly CloudWatchLogEvent[];
}

export interface CloudWatchLogEvent {
  /** Unique ID of the log event (a decimal string of up to 56 digits). */
  readonly id: string;
  /** Epoch milliseconds the event was logged at (PutLogEvents' timestamp). */
  readonly timestamp: number;
  /** The log line as it was ingested. */
  readonly message: string;
}

/** One log event with the subscription message it came in, as handed to a record transform. */
export interface LogEventSource {
  readonly data: CloudWatchLogsData;
  readonly event: CloudWatchLogEvent;
  /** Position of the event in `data.logEvents`. */
  readonly index: number;
}
