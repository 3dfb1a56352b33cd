/**
 * Whether `type` is a Hive column type as Glue and Athena (DDL) write them: the primitives,
 * decimal(p[,s]), char(n), varchar(n), and array<>, map<,>, struct<name:type,...>, uniontype<>.
 * Firehose converts JSON to Parquet/ORC through these types.
 * @see https://docs.aws.amazon.com/athena/latest/ug/data-types.html
 */
export function isHiveType(type: string): boolean {
  const s = type.trim().toLowerCase();
  let i = 0;
  const fail = (): never => {
    throw new Error('not a Hive type');
  };
  const skipSpaces = (): void => {
    while (s[i] === ' ') i++;
  };
  const take = (pattern: RegExp): string => {
    skipSpaces();
    const m = pattern.exec(s.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return m[0];
  };
  const expect = (c: string): void => {
    skipSpaces();
    if (s[i] !== c) fail();
    i++;
  };
  const next = (c: string): boolean => {
    skipSpaces();
    if (s[i] !== c) return false;
    i++;
    return true;
  };
  const parse = (): void => {
    const name = take(/^[a-z]+/);
    switch (name) {
      case 'boolean':
      case 'tinyint':
      case 'smallint':
      case 'int':
      case 'integer':
      case 'bigint':
      case 'float':
      case 'string':
      case 'binary':
      case 'date':
      case 'timestamp':
        return;
      case 'double':
        skipSpaces();
        if (s.startsWith('precision', i)) i += 'precision'.length;
        return;
      case 'decimal':
        if (next('(')) {
          take(/^\d+/);
          if (next(',')) take(/^\d+/);
          expect(')');
        }
        return;
      case 'char':
      case 'varchar':
        expect('(');
        take(/^\d+/);
        expect(')');
        return;
      case 'array':
        expect('<');
        parse();
        expect('>');
        return;
      case 'map':
        expect('<');
        parse();
        expect(',');
        parse();
        expect('>');
        return;
      case 'struct':
        expect('<');
        do {
          take(/^[^:<>,\s]+/);
          expect(':');
          parse();
        } while (next(','));
        expect('>');
        return;
      case 'uniontype':
        expect('<');
        do parse();
        while (next(','));
        expect('>');
        return;
      default:
        fail();
    }
  };
  try {
    parse();
    skipSpaces();
    return i === s.length;
  } catch {
    return false;
  }
}
