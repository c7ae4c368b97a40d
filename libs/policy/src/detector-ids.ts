/** The detectors NavPlane runs over request and response text. */
export type DetectorId = 'email' | 'phone' | 'ssn' | 'credit_card' | 'secrets';

/** Every detector, in the order summaries and decision records list them. */
export const DETECTOR_IDS: readonly DetectorId[] = Object.freeze(['email', 'phone', 'ssn', 'credit_card', 'secrets'] as const);

/** The label each detector's placeholders carry: `[EMAIL:1a2b3c4d]`. */
export const PLACEHOLDER_LABELS: Readonly<Record<DetectorId, string>> = Object.freeze({
  email: 'EMAIL',
  phone: 'PHONE',
  ssn: 'SSN',
  credit_card: 'CREDIT_CARD',
  secrets: 'SECRET',
});

/** Detectors whose values are digits: matched on digits only, canonicalised to digits for placeholders. */
export const DIGIT_DETECTORS: ReadonlySet<DetectorId> = new Set(['credit_card', 'ssn', 'phone']);

/** True when `value` names a detector. */
export function isDetectorId(value: unknown): value is DetectorId {
  return typeof value === 'string' && (DETECTOR_IDS as readonly string[]).includes(value);
}
