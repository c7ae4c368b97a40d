import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@navplane/core';

/** The HTTP exchange a step may read from (the request) or must leave alone (the response is the last step's). */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * A refusal that still tells what the step learned (the verified key of a disabled org, the policy that failed
 * closed), so the refused request is traced under its tenant.
 */
export class Refusal<Add extends object> {
  constructor(
    readonly error: AppError,
    readonly known: { readonly [K in keyof Add]?: Add[K] },
  ) {}
}

/** What a step returns: the fields it adds to the context, or the refusal that ends the request. */
export type StepResult<Add extends object> = Add | AppError | Refusal<Add>;

/**
 * One step of the provider path: it reads the context it declares (`In`) and returns the fields it adds (`Add`),
 * synchronously when it can (no promise per request on a warm path), or a refusal. A step that needs a field no
 * earlier step adds does not compile when chained: the order is checked by the compiler, not at run time.
 */
export interface Step<In, Add extends object> {
  readonly name: string;
  // A function-typed property, not a method: its parameter is checked contravariantly, so a step that needs more
  // than the context has is a compile error (method parameters would be checked bivariantly and let it through).
  readonly run: (context: In, exchange: Exchange) => StepResult<Add> | Promise<StepResult<Add>>;
}

/** How a pipeline ends a request it refused, or one whose step failed unexpectedly (wrapped as `internal_error`). */
export type RefusalHandler<Start> = (error: AppError, context: Start, exchange: Exchange) => void;

type AnyStep = Step<object, object>;

/**
 * A typed sequence of steps over one context object. `then(step)` widens the context type by what the step adds;
 * `end(final)` returns the request handler. Each step's additions are assigned onto the same object (no copy per
 * step), so a later step, the final one and the refusal handler all see what earlier steps learned.
 */
export class Pipeline<Start extends object, Context extends Start> {
  private constructor(private readonly steps: readonly AnyStep[]) {}

  /** An empty pipeline over contexts of type `Start`. */
  static begin<Start extends object>(): Pipeline<Start, Start> {
    return new Pipeline<Start, Start>([]);
  }

  /** Appends a step that needs at most what the context has so far. */
  then<Add extends object>(step: Step<Context, Add>): Pipeline<Start, Context & Add> {
    // The list holds steps of different context types; `then`'s signature is what checks each against the context
    // the earlier steps built, so the element type is erased here, once.
    return new Pipeline<Start, Context & Add>([...this.steps, step as unknown as AnyStep]);
  }

  /**
   * The request handler: runs every step in order, then `final` with the full context. A refusal (or an exception,
   * as `internal_error`) goes to `refuse` with the context as far as it got.
   */
  end(final: (context: Context, exchange: Exchange) => void, refuse: RefusalHandler<Start>): (context: Start, exchange: Exchange) => void {
    const steps = this.steps;
    const count = steps.length;
    const fail = (error: unknown, context: Start, exchange: Exchange) => {
      refuse(error instanceof AppError ? error : new AppError('internal_error', 'Internal error', { cause: error }), context, exchange);
    };
    // Adds a step's fields to the context (true), or ends the request with its refusal (false).
    const apply = (result: StepResult<object>, context: Start, exchange: Exchange): boolean => {
      if (result instanceof AppError) {
        refuse(result, context, exchange);
        return false;
      }
      if (result instanceof Refusal) {
        Object.assign(context, result.known);
        refuse(result.error, context, exchange);
        return false;
      }
      Object.assign(context, result);
      return true;
    };
    const proceed = (context: Start, exchange: Exchange, from: number): void => {
      for (let index = from; index < count; index += 1) {
        let result: StepResult<object> | Promise<StepResult<object>>;
        try {
          result = (steps[index] as AnyStep).run(context, exchange);
        } catch (error) {
          fail(error, context, exchange);
          return;
        }
        if (result instanceof Promise) {
          result.then(
            (settled) => {
              if (apply(settled, context, exchange)) proceed(context, exchange, index + 1);
            },
            (error: unknown) => fail(error, context, exchange),
          );
          return;
        }
        if (!apply(result, context, exchange)) return;
      }
      try {
        // Every step ran and assigned its fields onto this object: it is the full context `then` typed.
        final(context as unknown as Context, exchange);
      } catch (error) {
        fail(error, context, exchange);
      }
    };
    return function runPipeline(context: Start, exchange: Exchange) {
      proceed(context, exchange, 0);
    };
  }
}
