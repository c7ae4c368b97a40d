import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@navplane/core';

/** What a step may read: the request (an HTTP request, or a WebSocket upgrade: the steps serve both). */
export interface StepExchange {
  readonly req: IncomingMessage;
}

/** The HTTP exchange: the response is the last step's (or the refusal handler's), never a step's. */
export interface Exchange extends StepExchange {
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
  readonly run: (context: In, exchange: StepExchange) => StepResult<Add> | Promise<StepResult<Add>>;
}

/**
 * How a pipeline ends a request it refused, or one whose step failed unexpectedly (wrapped as `internal_error`): on
 * an HTTP `Exchange`, or on whatever the pipeline's end answers on (an upgrade's socket).
 */
export type RefusalHandler<Start, X extends StepExchange = Exchange> = (error: AppError, context: Start, exchange: X) => void;

/**
 * A typed sequence of steps over one context object. `then(step)` widens the context type by what the step adds;
 * `end(final)` returns the request handler (for HTTP requests, or for WebSocket upgrades: `X` is what the end and the
 * refusal handler answer on). Each step's additions are assigned onto the same object (no copy per
 * step), so a later step, the final one and the refusal handler all see what earlier steps learned.
 */
export class Pipeline<Start extends object, Context extends Start> {
  // Every step is held as one over the full context: a step that needs fewer fields accepts more (`run`'s parameter is
  // checked contravariantly), so adding one needs no cast.
  private constructor(private readonly steps: readonly Step<Context, object>[]) {}

  /** An empty pipeline over contexts of type `Start`. */
  static begin<Start extends object>(): Pipeline<Start, Start> {
    return new Pipeline<Start, Start>([]);
  }

  /** Appends a step that needs at most what the context has so far. */
  then<Add extends object>(step: Step<Context, Add>): Pipeline<Start, Context & Add> {
    return new Pipeline<Start, Context & Add>([...this.steps, step]);
  }

  /**
   * The request handler: runs every step in order, then `final` with the full context. A refusal (or an exception,
   * as `internal_error`) goes to `refuse` with the context as far as it got.
   */
  end<X extends StepExchange = Exchange>(
    final: (context: Context, exchange: X) => void,
    refuse: RefusalHandler<Start, X>,
  ): (context: Start, exchange: X) => void {
    const steps = this.steps;
    const fail = (error: unknown, context: Start, exchange: X) => {
      refuse(error instanceof AppError ? error : new AppError('internal_error', 'Internal error', { cause: error }), context, exchange);
    };
    // Adds a step's fields to the context (true), or ends the request with its refusal (false).
    const apply = (result: StepResult<object>, context: Start, exchange: X): boolean => {
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
    const proceed = (context: Context, exchange: X, from: number): void => {
      for (let index = from; ; index += 1) {
        const step = steps[index];
        if (step === undefined) break; // every step ran
        let result: StepResult<object> | Promise<StepResult<object>>;
        try {
          result = step.run(context, exchange);
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
        final(context, exchange);
      } catch (error) {
        fail(error, context, exchange);
      }
    };
    return function runPipeline(context: Start, exchange: X) {
      // The one place the steps' types are erased: the object is typed as the full context from the start, though
      // only `Start` is there yet. Each step adds its fields onto it before the next runs and reads only what the steps
      // before it added (`then` checks that at compile time), so `final` sees every field `Context` names.
      proceed(context as Context, exchange, 0);
    };
  }
}
