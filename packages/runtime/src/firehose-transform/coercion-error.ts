/** A row value that does not fit its column. Carries the path to the value, e.g. `tags[2]`. */
export class RowCoercionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'RowCoercionError';
  }
}
