import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { getToken } from "../client";
import { label } from "../format";
import { BarChart, type Bar } from "../charts";
import { Card, ErrorBox, Loading, Page, Table } from "../ui";

const DashQuery = graphql(`
  query ConsoleDashboard($from: Time, $to: Time) {
    statistics(from: $from, to: $to) {
      from
      to
      applicationsPerWeek {
        weekStart
        submitted
        accepted
      }
      handlingByPath {
        path
        accepted
        avgHours
      }
      recordsByKindAndStatus {
        kind
        status
        count
      }
      tiers {
        tier
        count
      }
      grades {
        grade
        count
      }
      ratings {
        rating
        count
      }
      reviewDeadlines {
        kind
        onTime
        late
        openOnTime
        openOverdue
      }
      csvUrl
    }
  }
`);

// sum adds up counts by a key, keeping the order in which keys first appear.
export function sum<T>(rows: T[], key: (r: T) => string, count: (r: T) => number): Bar[] {
  const bars: Bar[] = [];
  for (const r of rows) {
    const k = key(r);
    const b = bars.find((x) => x.label === k);
    if (b) b.value += count(r);
    else bars.push({ label: k, value: count(r) });
  }
  return bars;
}

const statusTone: Record<string, string> = { ACTIVE: "bad", UNDER_OBJECTION: "warn", REPAIRED: "ok" };
const gradeTone: Record<string, string> = { EXCELLENT: "ok", GOOD: "", WATCH: "warn", DISHONEST: "bad" };
const dayMs = 86400e3;

// downloadCSV fetches the statistics CSV with the session's token (a plain
// link would carry none) and hands it to the browser as a file.
async function downloadCSV(url: string) {
  const r = await fetch(url, { headers: { Authorization: `Bearer ${getToken() ?? ""}` } });
  if (!r.ok) throw new Error(`服务器返回 ${r.status}`);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await r.blob());
  a.download = "statistics.csv";
  a.click();
  URL.revokeObjectURL(a.href);
}

export function Dashboard() {
  const [days, setDays] = useState(56);
  // The period ends at the start of tomorrow so that today's work counts.
  const [to] = useState(() => new Date(Math.ceil(Date.now() / dayMs) * dayMs));
  const from = new Date(to.getTime() - days * dayMs);
  const [res] = useQuery({ query: DashQuery, variables: { from: from.toISOString(), to: to.toISOString() }, requestPolicy: "cache-and-network" });
  const [csvErr, setCsvErr] = useState<string | null>(null);
  const s = res.data?.statistics;
  return (
    <Page
      title="统计看板"
      actions={
        <>
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="统计期间">
            <option value={28}>近 4 周</option>
            <option value={56}>近 8 周</option>
            <option value={91}>近 13 周</option>
            <option value={364}>近 52 周</option>
          </select>{" "}
          {s && (
            <button type="button" onClick={() => downloadCSV(s.csvUrl).catch((e: Error) => setCsvErr(e.message))}>
              导出 CSV
            </button>
          )}
        </>
      }
    >
      <ErrorBox error={res.error ?? csvErr} />
      <Loading show={res.fetching && !s} />
      {s && (
        <div className="grid2">
          <Card title="每周申请数">
            <BarChart title="每周申请数" bars={s.applicationsPerWeek.map((w) => ({ label: w.weekStart.slice(5, 10), value: w.submitted }))} />
            <p className="muted">
              提交 {s.applicationsPerWeek.reduce((n, w) => n + w.submitted, 0)} 件，受理 {s.applicationsPerWeek.reduce((n, w) => n + w.accepted, 0)} 件
            </p>
          </Card>
          <Card title="平均办理时长（提交至受理）">
            <BarChart
              title="平均办理时长"
              unit="h"
              bars={(["ZERO_DOCUMENT", "ORDINARY"] as const).map((path) => {
                const h = s.handlingByPath.find((x) => x.path === path);
                return { label: `${label(path)}（${h?.accepted ?? 0} 件）`, value: h?.avgHours ?? 0, tone: path === "ZERO_DOCUMENT" ? "alt" : "" };
              })}
            />
          </Card>
          <Card title="失信记录：按类型">
            <BarChart title="失信记录按类型" bars={sum(s.recordsByKindAndStatus, (r) => label(r.kind), (r) => r.count)} />
          </Card>
          <Card title="失信记录：按状态">
            <BarChart
              title="失信记录按状态"
              bars={sum(s.recordsByKindAndStatus, (r) => r.status, (r) => r.count).map((b) => ({ label: label(b.label), value: b.value, tone: statusTone[b.label] }))}
            />
          </Card>
          <Card title="信用分级分布（优良、良好、关注、失信）">
            <BarChart title="信用分级分布" bars={s.grades.map((g) => ({ label: label(g.grade), value: g.count, tone: gradeTone[g.grade] }))} />
            <p className="muted">信用层级：{s.tiers.map((t) => `${label(t.tier)} ${t.count}`).join("，")}</p>
            {s.ratings.length > 0 && <p className="muted">信用核查评级：{s.ratings.map((r) => `${r.rating} ${r.count}`).join("，")}</p>}
          </Card>
          <Card title="修复与异议办理期限">
            <Table testid="review-deadlines" head={["类型", "按期办结", "逾期办结", "办理中", "已超期"]}>
              {s.reviewDeadlines.map((r) => (
                <tr key={r.kind}>
                  <td>{label(r.kind)}</td>
                  <td>{r.onTime}</td>
                  <td>{r.late}</td>
                  <td>{r.openOnTime}</td>
                  <td className={r.openOverdue ? "sla-red" : ""}>{r.openOverdue}</td>
                </tr>
              ))}
            </Table>
          </Card>
        </div>
      )}
    </Page>
  );
}
