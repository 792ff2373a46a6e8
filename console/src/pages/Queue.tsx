import { useEffect, useState } from "react";
import { graphql } from "../gql";
import type { ApplicationOrder, ApplicationStatus } from "../gql/graphql";
import { fmtTime, label } from "../format";
import { Card, Page, Tag, go } from "../ui";
import { PagedTable, usePagedList } from "../lists";

const QueueQuery = graphql(`
  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {
    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        ageSeconds
        stepDue
        overdue
        node {
          id
          status
          vip
          address
          category
          channel
          submittedAt
          stepSince
          wantsCreditHandling
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

const open: ApplicationStatus[] = ["SUBMITTED", "SURVEY_SCHEDULED", "SURVEYED", "CREDIT_CHECKED", "COMMITMENT_SIGNED", "PUBLISHED", "FALLBACK_TO_DOCUMENTS"];
const all: ApplicationStatus[] = [...open, "ACCEPTED", "REJECTED", "WITHDRAWN"];

// sla is the colour of a queue row (R4.2 step deadlines): red when the step
// is overdue, amber when it is due within a day, green otherwise.
export function sla(overdue: boolean, due?: string | null): "red" | "amber" | "green" {
  if (overdue) return "red";
  if (due && new Date(due).getTime() - Date.now() < 24 * 3600 * 1000) return "amber";
  return "green";
}

const slaText = { red: "已超期", amber: "即将到期", green: "正常" };

export function Queue() {
  const [search, setSearch] = useState("");
  const list = usePagedList({
    query: QueueQuery,
    filters: { status: "OPEN", vipOnly: false, orderBy: "VIP_FIRST" as ApplicationOrder, keyword: "" },
    variables: (f) => ({
      filter: { statuses: f.status === "OPEN" ? open : f.status === "ALL" ? all : [f.status as ApplicationStatus], vipOnly: f.vipOnly || null, keyword: f.keyword || null },
      orderBy: f.orderBy,
    }),
    connection: (d) => d.applications,
    first: 50,
  });
  const f = list.filters;
  // The search runs on the server (a prefix match on the application
  // number, the USCC or the unit's name), 300 ms after the last keystroke.
  const setKeyword = list.setFilter("keyword");
  useEffect(() => {
    const t = setTimeout(() => setKeyword(search.trim()), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);
  return (
    <Page title="办理队列">
      <Card>
        <div className="filters">
          <input placeholder="搜索：单位名称、统一社会信用代码或申请编号（开头匹配）" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="搜索" />
          <select value={f.status} onChange={(e) => list.setFilter("status")(e.target.value)} aria-label="状态">
            <option value="OPEN">办理中</option>
            <option value="ALL">全部</option>
            {all.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
          <select value={f.orderBy} onChange={(e) => list.setFilter("orderBy")(e.target.value as ApplicationOrder)} aria-label="排序">
            <option value="VIP_FIRST">VIP 优先</option>
            <option value="OLDEST">最早提交</option>
            <option value="NEWEST">最新提交</option>
          </select>
          <label className="check">
            <input type="checkbox" checked={f.vipOnly} onChange={(e) => list.setFilter("vipOnly")(e.target.checked)} /> 仅 VIP
          </label>
        </div>
        <PagedTable
          list={list}
          testid="queue"
          head={["时限", "单位", "地址", "状态", "方式", "提交时间", "本步截止"]}
          row={(e) => {
            const c = sla(e.overdue, e.stepDue);
            return (
              <tr key={e.node.id} className={"clickable sla-" + c} onClick={() => go("applications", e.node.id)}>
                <td>
                  <span className={"dot sla-" + c} /> {slaText[c]}
                </td>
                <td>
                  {e.node.vip && <Tag text="VIP" tone="tone-vip" />} {e.node.subject.name}
                  <div className="muted">{e.node.subject.uscc}</div>
                </td>
                <td>{e.node.address}</td>
                <td>
                  <Tag code={e.node.status} text={label(e.node.status)} />
                </td>
                <td>{e.node.wantsCreditHandling ? "信用办水" : "常规"}</td>
                <td>{fmtTime(e.node.submittedAt)}</td>
                <td>{fmtTime(e.stepDue)}</td>
              </tr>
            );
          }}
        />
      </Card>
    </Page>
  );
}
