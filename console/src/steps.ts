import { useMutation, type AnyVariables, type CombinedError, type OperationResult, type TypedDocumentNode } from "urql";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = TypedDocumentNode<any, any>;
type Run<D> = D extends TypedDocumentNode<infer R, infer V extends AnyVariables> ? (variables: V) => Promise<OperationResult<R, V>> : never;

// useSteps holds the mutations of a screen's steps: run.<step>(variables)
// sends one and, once it has succeeded, calls after (which reads the
// screen's object again); busy.<step> tells whether that step is on its way
// and error is the error of the first step that has one.
export function useSteps<M extends Record<string, Doc>>(docs: M, after?: () => void) {
  const run = {} as { [K in keyof M]: Run<M[K]> };
  const busy = {} as Record<keyof M, boolean>;
  let error: CombinedError | undefined;
  for (const k of Object.keys(docs) as (keyof M)[]) {
    // A screen's steps are a fixed list: the hooks always run in one order.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    const [state, send] = useMutation(docs[k]);
    busy[k] = state.fetching;
    error ??= state.error;
    run[k] = ((variables: object) =>
      send(variables).then((r) => {
        if (!r.error) after?.();
        return r;
      })) as Run<M[typeof k]>;
  }
  return { run, busy, error };
}
