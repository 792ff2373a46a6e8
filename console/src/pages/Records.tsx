import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { RecordKind, RecordStatus } from "../gql/graphql";
import { fmtDay, label } from "../format";
import { Card, Empty, ErrorBox, Link, Loading, Page, Pager, Tag, useCursor, FilterSelect } from "../ui";

const RecordsQuery = graphql(`
  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {
    dishonestyRecords(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          severity
          status
          source
          summary
          accountNo
          decidedOn
          publicityEnd
          subject {
            id
            name
            uscc
          }
        }
      }
    }
  }
`);

export function Records() {
  const [kind, setKind] = useState("");
  const [status, setStatus] = useState("");
  const cur = useCursor();
  const [res] = useQuery({
    query: RecordsQuery,
    variables: { filter: { kind: (kind || null) as RecordKind | null, status: (status || null) as RecordStatus | null }, first: 20, after: cur.after },
  });
  const conn = res.data?.dishonestyRecords;
  return (
    <Page title="失信记录">
      <Card>
        <div className="filters">
          <FilterSelect value={kind} onChange={(v) => (setKind(v), cur.reset())} codes={["ARREARS", "THEFT", "VIOLATION", "BROKEN_PROMISE"]} allText="全部类型" aria="类型" />
          <FilterSelect value={status} onChange={(v) => (setStatus(v), cur.reset())} codes={["ACTIVE", "UNDER_OBJECTION", "REPAIRED", "REVOKED"]} allText="全部状态" aria="状态" />
        </div>
        <ErrorBox error={res.error} />
        <Loading show={res.fetching && !conn} />
        <table className="table" data-testid="records">
          <thead>
            <tr>
              <th>主体</th>
              <th>类型</th>
              <th>程度</th>
              <th>状态</th>
              <th>认定日期</th>
              <th>公示截止</th>
              <th>摘要</th>
            </tr>
          </thead>
          <tbody>
            {conn?.edges.map(({ node: r }) => (
              <tr key={r.id}>
                <td>
                  <Link to={["subjects", r.subject.id]}>{r.subject.name}</Link>
                  <div className="muted">{r.accountNo}</div>
                </td>
                <td>{label(r.kind)}</td>
                <td>{label(r.severity)}</td>
                <td>
                  <Tag code={r.status} text={label(r.status)} />
                </td>
                <td>{fmtDay(r.decidedOn)}</td>
                <td>{fmtDay(r.publicityEnd)}</td>
                <td>{r.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Empty show={!!conn && conn.edges.length === 0} />
        <Pager total={conn?.totalCount} hasNext={!!conn?.pageInfo.hasNextPage} canPrev={cur.canPrev} onNext={() => cur.next(conn?.pageInfo.endCursor)} onPrev={cur.prev} />
      </Card>
    </Page>
  );
}
