import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { fmtTime, label } from "../format";
import { Card, Empty, ErrorBox, Loading, Page, Pager, useCursor } from "../ui";

const AuditQuery = graphql(`
  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          at
          actorId
          actorRole
          action
          subjectType
          subjectId
          purpose
          requestId
        }
      }
    }
  }
`);

export function Audit() {
  const [action, setAction] = useState("");
  const [subjectId, setSubjectId] = useState("");
  const cur = useCursor();
  const [res] = useQuery({
    query: AuditQuery,
    variables: { filter: { action: action || null, subjectId: subjectId || null }, first: 30, after: cur.after },
  });
  const conn = res.data?.auditLog;
  return (
    <Page title="审计日志">
      <Card>
        <div className="filters">
          <input placeholder="操作（如 application.submitted）" value={action} onChange={(e) => (setAction(e.target.value), cur.reset())} aria-label="操作" />
          <input placeholder="对象 ID" value={subjectId} onChange={(e) => (setSubjectId(e.target.value), cur.reset())} aria-label="对象" />
        </div>
        <ErrorBox error={res.error} />
        <Loading show={res.fetching && !conn} />
        <table className="table" data-testid="audit">
          <thead>
            <tr>
              <th>时间</th>
              <th>操作人</th>
              <th>操作</th>
              <th>对象</th>
              <th>目的</th>
            </tr>
          </thead>
          <tbody>
            {conn?.edges.map(({ node: a }) => (
              <tr key={a.id}>
                <td>{fmtTime(a.at)}</td>
                <td>
                  {label(a.actorRole)} <span className="muted">{a.actorId?.slice(0, 8)}</span>
                </td>
                <td>
                  <code>{a.action}</code>
                </td>
                <td>
                  {a.subjectType} <span className="muted">{a.subjectId?.slice(0, 12)}</span>
                </td>
                <td>{a.purpose}</td>
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
