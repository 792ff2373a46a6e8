import { useState, type ReactNode } from "react";
import { useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode, type UseQueryArgs } from "urql";
import { Empty, ErrorBox, Loading, Pager, Table, useCursor } from "./ui";

// Connection is what the API's paged lists answer: a page of edges, the
// cursor of its last one and (where the list has one) the whole count.
export type Connection<E> = {
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: E[];
};

// usePagedList runs one connection query a page at a time. It keeps the
// list's filters (changing one goes back to the first page) and the stack of
// `after` cursors; `variables` turns the filters into the query's variables
// but for `first` and `after`, and `connection` picks the list from the answer.
export function usePagedList<Data, Vars extends AnyVariables, F extends object, E>(opts: {
  query: TypedDocumentNode<Data, Vars>;
  filters: F;
  variables: (f: F) => Omit<Vars, "first" | "after">;
  connection: (d: Data) => Connection<E>;
  first: number;
}) {
  const [filters, setFilters] = useState(opts.filters);
  const cur = useCursor();
  const variables = { ...opts.variables(filters), first: opts.first, after: cur.after } as unknown as Vars;
  const [res, refetch] = useQuery<Data, Vars>({ query: opts.query, variables } as UseQueryArgs<Vars, Data>);
  const conn = res.data ? opts.connection(res.data) : undefined;
  return {
    filters,
    // setFilter sets one filter and goes back to the first page.
    setFilter:
      <K extends keyof F>(k: K) =>
      (v: F[K]) => {
        setFilters((f) => ({ ...f, [k]: v }));
        cur.reset();
      },
    res,
    conn,
    // reload asks the server again (after a change the list shows).
    reload: () => refetch({ requestPolicy: "network-only" }),
    // restart goes back to the first page.
    restart: cur.reset,
    pager: {
      total: conn?.totalCount,
      hasNext: !!conn?.pageInfo.hasNextPage,
      canPrev: cur.canPrev,
      onNext: () => cur.next(conn?.pageInfo.endCursor),
      onPrev: cur.prev,
    },
  };
}

// PagedList is what PagedTable shows: usePagedList's answer.
export type PagedList<E> = {
  res: { error?: CombinedError; fetching: boolean };
  conn?: Connection<E>;
  pager: Parameters<typeof Pager>[0];
};

// PagedTable shows a paged list: its error, "loading" before the first
// answer, a table with a row per edge, "no data" and the pager.
export function PagedTable<E>({ list, head, testid, row }: { list: PagedList<E>; head: ReactNode[]; testid: string; row: (e: E) => ReactNode }) {
  const { res, conn } = list;
  return (
    <>
      <ErrorBox error={res.error} />
      <Loading show={res.fetching && !conn} />
      <Table head={head} testid={testid}>
        {conn?.edges.map(row)}
      </Table>
      <Empty show={!!conn && conn.edges.length === 0} />
      <Pager {...list.pager} />
    </>
  );
}
