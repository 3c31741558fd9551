/**
 * Abort signals tied to the client's lifetime. AbortSignal.any is avoided on purpose: a composite that
 * follows a long-lived signal (the client's) is retained by it, so one per request leaks on Node 20/22
 * (nodejs/node#55351, #54614). Here every link is detached explicitly when its request is done.
 */

export interface LinkedSignal {
  signal: AbortSignal;
  /** True when the timeout, not a source, aborted the signal. */
  timedOut(): boolean;
  /** Detaches from the sources and clears the timer; call it when the operation is over. */
  dispose(): void;
}

/** A signal that aborts when any source aborts, or after `timeoutMs` when given. */
export function linkSignals(sources: readonly AbortSignal[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
  for (const source of sources) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener('abort', onAbort, { once: true });
  }
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException('native call timed out', 'TimeoutError'));
        }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const source of sources) source.removeEventListener('abort', onAbort);
    },
  };
}
