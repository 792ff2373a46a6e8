import { graphql } from "../gql";
import type { RecordKind, RecordStatus } from "../gql/graphql";
import { fmtDay, label } from "../format";
import { Card, Link, Page, Tag, FilterSelect } from "../ui";
import { PagedTable, usePagedList } from "../lists";

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

// RecordCells are a dishonesty record's cells in a table row: kind,
// severity, status and the day it was decided.
export function RecordCells({ r }: { r: { kind: string; severity: string; status: string; decidedOn?: string | null } }) {
  return (
    <>
      <td>{label(r.kind)}</td>
      <td>{label(r.severity)}</td>
      <td>
        <Tag code={r.status} text={label(r.status)} />
      </td>
      <td>{fmtDay(r.decidedOn)}</td>
    </>
  );
}

export function Records() {
  const list = usePagedList({
    query: RecordsQuery,
    filters: { kind: "", status: "" },
    variables: (f) => ({ filter: { kind: (f.kind || null) as RecordKind | null, status: (f.status || null) as RecordStatus | null } }),
    connection: (d) => d.dishonestyRecords,
    first: 20,
  });
  return (
    <Page title="失信记录">
      <Card>
        <div className="filters">
          <FilterSelect value={list.filters.kind} onChange={list.setFilter("kind")} codes={["ARREARS", "THEFT", "VIOLATION", "BROKEN_PROMISE"]} allText="全部类型" aria="类型" />
          <FilterSelect value={list.filters.status} onChange={list.setFilter("status")} codes={["ACTIVE", "UNDER_OBJECTION", "REPAIRED", "REVOKED"]} allText="全部状态" aria="状态" />
        </div>
        <PagedTable
          list={list}
          testid="records"
          head={["主体", "类型", "程度", "状态", "认定日期", "公示截止", "摘要"]}
          row={({ node: r }) => (
            <tr key={r.id}>
              <td>
                <Link to={["subjects", r.subject.id]}>{r.subject.name}</Link>
                <div className="muted">{r.accountNo}</div>
              </td>
              <RecordCells r={r} />
              <td>{fmtDay(r.publicityEnd)}</td>
              <td>{r.summary}</td>
            </tr>
          )}
        />
      </Card>
    </Page>
  );
}
