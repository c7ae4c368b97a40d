/**
 * Where a JSON value sits in a provider object, and so how `sanitizeJson` copies it. The empty shape
 * (`CONTENT`) is the default everywhere: every string and every object key in the value is content
 * and goes through a filter. Only a shape that names a position lets anything bypass the filter.
 */
export interface JsonShape {
  /** A string here is an identifier or enum: copied verbatim, clipped. Any other value is content. */
  readonly verbatim?: true;
  /**
   * An object here has these fixed schema keys: each is kept as is and its value copied by its
   * shape. Any other key of the object is content (filtered, its value copied as `CONTENT`).
   */
  readonly fields?: ReadonlyMap<string, JsonShape>;
  /**
   * An object here is one of these by its `type` (a string): the shape of each known type. An
   * object of another type, or without one, is content. Takes precedence over `fields`.
   */
  readonly variants?: ReadonlyMap<string, JsonShape>;
  /** Each element of an array here (default `CONTENT`). */
  readonly items?: JsonShape;
}

/** Everything is content: strings and keys filtered, at any depth. */
export const CONTENT: JsonShape = Object.freeze({});

/** An identifier or enum string (id, model, status, type…), copied verbatim and clipped. */
export const VERBATIM: JsonShape = Object.freeze({ verbatim: true });

/** An object with these fixed schema keys (any other key is content). */
export function objectShape(fields: Readonly<Record<string, JsonShape>>): JsonShape {
  return { fields: new Map(Object.entries(fields)) };
}

/** An object picked by its `type`: one shape per known type (any other type is content). */
export function variantsShape(variants: Readonly<Record<string, JsonShape>>): JsonShape {
  return { variants: new Map(Object.entries(variants)) };
}

/** An array whose elements have the shape `items`. */
export function listShape(items: JsonShape): JsonShape {
  return { items };
}

/**
 * The fixed keys of `record` at `shape`: those of its variant when the shape has variants (none
 * when its `type` is unknown), else the shape's own. Undefined means every key is content.
 */
export function fixedKeys(shape: JsonShape, record: Readonly<Record<string, unknown>>): ReadonlyMap<string, JsonShape> | undefined {
  if (shape.variants) {
    const type = Object.hasOwn(record, 'type') ? record['type'] : undefined;
    return typeof type === 'string' ? shape.variants.get(type)?.fields : undefined;
  }
  return shape.fields;
}
