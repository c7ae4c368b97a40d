/** A value JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (what JSON columns and change-feed payloads hold). */
export type JsonObject = { [key: string]: JsonValue };
