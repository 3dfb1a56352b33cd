/**
 * The Glue/Hive column type grammar, shared by the constructs (which declare the table) and the
 * transform runtime (which coerces rows to it), so that both read one definition:
 * `string | int | bigint | double | boolean | timestamp | date | decimal(p,s)
 *  | array<T> | map<K,V> | struct<name:T,...>`.
 */
export type ColumnType =
  | { readonly kind: 'string' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'double' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'date' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly item: ColumnType }
  | { readonly kind: 'map'; readonly key: ColumnType; readonly value: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly StructField[] };

export interface StructField {
  readonly name: string;
  readonly type: ColumnType;
}

/** A column of the table: the lowercase Glue name and its Glue type string, e.g. 'decimal(10,2)'. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  /** @default - no comment */
  readonly comment?: string;
}

const PRIMITIVES = new Set(['string', 'int', 'bigint', 'double', 'boolean', 'timestamp', 'date']);

/** Parses a Glue type string. Throws an Error naming the type string when it is not valid. */
export function parseColumnType(typeString: string): ColumnType {
  const parser = new TypeParser(typeString);
  const type = parser.parseType();
  parser.expectEnd();
  return type;
}

/** The canonical Glue type string of a parsed type. */
export function formatColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return `array<${formatColumnType(type.item)}>`;
    case 'map':
      return `map<${formatColumnType(type.key)},${formatColumnType(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${formatColumnType(f.type)}`).join(',')}>`;
    default:
      return type.kind;
  }
}

class TypeParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseType(): ColumnType {
    const name = this.identifier().toLowerCase();
    if (PRIMITIVES.has(name)) return { kind: name } as ColumnType;
    switch (name) {
      case 'integer':
        return { kind: 'int' };
      case 'decimal': {
        let precision = 10;
        let scale = 0;
        if (this.peek('(')) {
          this.expect('(');
          precision = this.integer();
          if (this.peek(',')) {
            this.expect(',');
            scale = this.integer();
          }
          this.expect(')');
        }
        if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
          this.fail(`decimal precision must be 1..38 and scale 0..precision, got decimal(${precision},${scale})`);
        }
        return { kind: 'decimal', precision, scale };
      }
      case 'array': {
        this.expect('<');
        const item = this.parseType();
        this.expect('>');
        return { kind: 'array', item };
      }
      case 'map': {
        this.expect('<');
        const key = this.parseType();
        if (!PRIMITIVES.has(key.kind) && key.kind !== 'decimal') this.fail('map keys must be a primitive type');
        this.expect(',');
        const value = this.parseType();
        this.expect('>');
        return { kind: 'map', key, value };
      }
      case 'struct': {
        this.expect('<');
        const fields: StructField[] = [];
        do {
          if (fields.length > 0) this.expect(',');
          const fieldName = this.identifier();
          this.expect(':');
          fields.push({ name: fieldName, type: this.parseType() });
        } while (this.peek(','));
        this.expect('>');
        return { kind: 'struct', fields };
      }
      default:
        return this.fail(`unknown type '${name}'`);
    }
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.pos !== this.text.length) this.fail(`unexpected '${this.text.slice(this.pos)}'`);
  }

  private identifier(): string {
    this.skipSpaces();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) return this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  private integer(): number {
    this.skipSpaces();
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (!m) return this.fail('expected a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private peek(char: string): boolean {
    this.skipSpaces();
    return this.text[this.pos] === char;
  }

  private expect(char: string): void {
    if (!this.peek(char)) this.fail(`expected '${char}' at position ${this.pos}`);
    this.pos++;
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private fail(message: string): never {
    throw new Error(`invalid column type '${this.text}': ${message}`);
  }
}
