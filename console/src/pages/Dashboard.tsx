import { useQuery } from "urql";
import { graphql } from "../gql";
import { label } from "../format";
import { BarChart, type Bar } from "../charts";
import { Card, ErrorBox, Loading, Page } from "../ui";

const DashQuery = graphql(`
  query ConsoleDashboard {
    recent: applications(orderBy: NEWEST, first: 100) {
      totalCount
      edges {
        node {
          id
          submittedAt
          status
        }
      }
    }
    handlingStats {
      vip
      accepted
      averageHours
    }
    arrears: dishonestyRecords(filter: { kind: ARREARS }, first: 1) {
      totalCount
    }
    theft: dishonestyRecords(filter: { kind: THEFT }, first: 1) {
      totalCount
    }
    violation: dishonestyRecords(filter: { kind: VIOLATION }, first: 1) {
      totalCount
    }
    brokenPromise: dishonestyRecords(filter: { kind: BROKEN_PROMISE }, first: 1) {
      totalCount
    }
    active: dishonestyRecords(filter: { status: ACTIVE }, first: 1) {
      totalCount
    }
    underObjection: dishonestyRecords(filter: { status: UNDER_OBJECTION }, first: 1) {
      totalCount
    }
    repaired: dishonestyRecords(filter: { status: REPAIRED }, first: 1) {
      totalCount
    }
    revoked: dishonestyRecords(filter: { status: REVOKED }, first: 1) {
      totalCount
    }
  }
`);

// weekStart is the Monday (Asia/Shanghai) of t, as MM-DD.
function weekStart(t: Date): string {
  const sh = new Date(t.getTime() + 8 * 3600e3);
  const day = (sh.getUTCDay() + 6) % 7;
  const monday = new Date(sh.getTime() - day * 86400e3);
  return monday.toISOString().slice(5, 10);
}

export function perWeek(times: string[], weeks = 8, now = new Date()): Bar[] {
  const bars: Bar[] = [];
  for (let i = weeks - 1; i >= 0; i--) bars.push({ label: weekStart(new Date(now.getTime() - i * 7 * 86400e3)), value: 0 });
  for (const t of times) {
    const b = bars.find((x) => x.label === weekStart(new Date(t)));
    if (b) b.value++;
  }
  return bars;
}

export function Dashboard() {
  const [res] = useQuery({ query: DashQuery, requestPolicy: "cache-and-network" });
  const d = res.data;
  return (
    <Page title="统计看板">
      <ErrorBox error={res.error} />
      <Loading show={res.fetching && !d} />
      {d && (
        <div className="grid2">
          <Card title="每周申请数（近 8 周）">
            <BarChart title="每周申请数" bars={perWeek(d.recent.edges.map((e) => e.node.submittedAt))} />
            <p className="muted">申请总数 {d.recent.totalCount}（按最近 100 件统计各周）</p>
          </Card>
          <Card title="平均办理时长（提交至受理）">
            <BarChart
              title="平均办理时长"
              unit="h"
              bars={d.handlingStats.map((h) => ({ label: `${h.vip ? "VIP" : "普通"}（${h.accepted} 件）`, value: h.averageHours, tone: h.vip ? "alt" : "" }))}
            />
            <p className="muted">零证办水与常规办理的对比待统计接口提供。</p>
          </Card>
          <Card title="失信记录：按类型">
            <BarChart
              title="失信记录按类型"
              bars={[
                { label: label("ARREARS"), value: d.arrears.totalCount },
                { label: label("THEFT"), value: d.theft.totalCount },
                { label: label("VIOLATION"), value: d.violation.totalCount },
                { label: label("BROKEN_PROMISE"), value: d.brokenPromise.totalCount },
              ]}
            />
          </Card>
          <Card title="失信记录：按状态">
            <BarChart
              title="失信记录按状态"
              bars={[
                { label: label("ACTIVE"), value: d.active.totalCount, tone: "bad" },
                { label: label("UNDER_OBJECTION"), value: d.underObjection.totalCount, tone: "warn" },
                { label: label("REPAIRED"), value: d.repaired.totalCount, tone: "ok" },
                { label: label("REVOKED"), value: d.revoked.totalCount },
              ]}
            />
          </Card>
          <Card title="信用等级分布">
            <p className="muted">等级分布待统计接口提供。</p>
          </Card>
        </div>
      )}
    </Page>
  );
}
