import { graphql } from "../gql";
import { fmtTime, label } from "../format";
import { Card, Page, FilterText } from "../ui";
import { PagedTable, usePagedList } from "../lists";

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
  const list = usePagedList({
    query: AuditQuery,
    filters: { action: "", subjectId: "" },
    variables: (f) => ({ filter: { action: f.action || null, subjectId: f.subjectId || null } }),
    connection: (d) => d.auditLog,
    first: 30,
  });
  const f = list.filters;
  return (
    <Page title="审计日志">
      <Card>
        <div className="filters">
          <FilterText placeholder="操作（如 application.submitted）" value={f.action} onChange={list.setFilter("action")} aria="操作" />
          <FilterText placeholder="对象 ID" value={f.subjectId} onChange={list.setFilter("subjectId")} aria="对象" />
        </div>
        <PagedTable
          list={list}
          testid="audit"
          head={["时间", "操作人", "操作", "对象", "目的"]}
          row={({ node: a }) => (
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
          )}
        />
      </Card>
    </Page>
  );
}
