import { Token } from 'aws-cdk-lib';

const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';
const EXPRESSION = /!\{([^{}]*)\}/g;
const KNOWN_EXPRESSION =
  /^(?:firehose:(?:random-string|error-output-type)|timestamp:[^{}]+|partitionKeyFrom(?:Lambda|Query):[^{}]+)$/;

/** Firehose S3 prefixes (`dataOutputPrefix`, `errorOutputPrefix`) and the rules Firehose applies to them. */
export class OutputPrefixes {
  /**
   * Checks a pair of Firehose S3 prefixes against the rules Firehose applies at deploy time, so that
   * they fail at synth with the prop and the value instead. DataLakeDelivery checks its own; call
   * this for the prefixes of your own Firehose destinations.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   * @param dataOutputPrefix the data prefix
   * @param errorOutputPrefix the error prefix; '' for an explicitly empty one
   * @param dynamicPartitioning whether dynamic partitioning is on (needed for `!{partitionKeyFrom…}`)
   */
  public static validate(dataOutputPrefix: string, errorOutputPrefix?: string, dynamicPartitioning = false): void {
    const data = Token.isUnresolved(dataOutputPrefix) ? undefined : dataOutputPrefix;
    const error =
      errorOutputPrefix === undefined || Token.isUnresolved(errorOutputPrefix) ? undefined : errorOutputPrefix;
    if (data !== undefined) checkExpressions('dataOutputPrefix', data);
    if (error !== undefined) checkExpressions('errorOutputPrefix', error);

    if (data !== undefined && data.includes('!{') && errorOutputPrefix !== undefined && error === '') {
      throw new Error(
        `errorOutputPrefix is required when dataOutputPrefix uses expressions. Received dataOutputPrefix '${data}' and an empty errorOutputPrefix`,
      );
    }
    if (data !== undefined && data.includes('!{') && errorOutputPrefix === undefined) {
      throw new Error(
        `errorOutputPrefix is required when dataOutputPrefix uses expressions. Received dataOutputPrefix '${data}' and no errorOutputPrefix`,
      );
    }
    if (error !== undefined && error.includes('!{') && !error.includes(ERROR_OUTPUT_TYPE)) {
      throw new Error(
        `errorOutputPrefix must contain ${ERROR_OUTPUT_TYPE} when it uses expressions. Received '${error}'`,
      );
    }
    if (data !== undefined && data.includes(ERROR_OUTPUT_TYPE)) {
      throw new Error(`dataOutputPrefix must not contain ${ERROR_OUTPUT_TYPE}. Received '${data}'`);
    }
    if (error !== undefined && error.includes('!{partitionKeyFrom')) {
      throw new Error(
        `errorOutputPrefix must not use !{partitionKeyFromLambda:…} or !{partitionKeyFromQuery:…}. Received '${error}'`,
      );
    }
    if (data !== undefined && data.includes('!{partitionKeyFrom') && !dynamicPartitioning) {
      throw new Error(
        `dataOutputPrefix uses !{partitionKeyFrom…} but dynamic partitioning is off (add a PartitionKey.fromRecordField to the partitioning). Received '${data}'`,
      );
    }
  }

  private constructor() {}
}

function checkExpressions(prop: string, prefix: string): void {
  for (const match of prefix.matchAll(EXPRESSION)) {
    if (!KNOWN_EXPRESSION.test(match[1])) {
      throw new Error(
        `${prop} has an unknown expression ${match[0]}: allowed are !{firehose:random-string}, !{firehose:error-output-type}, !{timestamp:…}, !{partitionKeyFromLambda:…} and !{partitionKeyFromQuery:…}. Received '${prefix}'`,
      );
    }
  }
  const opened = (prefix.match(/!\{/g) ?? []).length;
  const closed = [...prefix.matchAll(EXPRESSION)].length;
  if (opened !== closed) {
    throw new Error(`${prop} has an unclosed !{ expression. Received '${prefix}'`);
  }
}
