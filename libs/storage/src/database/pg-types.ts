import pg from 'pg';

const INT8_OID = 20;

// node-pg returns int8 (bigint, count(*), sum(integer)) as a string so no precision is lost. NavPlane's
// int8 values (counts, token sums, change-event ids) stay far below 2^53, so they become numbers; a value
// that would not fit exactly becomes a bigint rather than a silently rounded number.
function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** Per-pool type parsers (pg's global registry is left untouched): int8 → number, the rest pg's defaults. */
export const PG_TYPES: pg.CustomTypesConfig = {
  // pg's own parsers are untyped (`any`); what they return is whatever pg makes of the column.
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format),
};
