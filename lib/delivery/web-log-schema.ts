import { TableSchema } from './table-schema';
import { WEB_LOG_COLUMNS } from '../private/generated/web-log-columns';

/**
 * The reference web-log table: Apache access and error lines in one table, told apart by
 * `log_type` ('access', 'error', 'unparsed'). The reference transform writes exactly these rows.
 */
export const WEB_LOG_SCHEMA: TableSchema = TableSchema.fromColumns(WEB_LOG_COLUMNS.map((c) => ({ ...c })));
