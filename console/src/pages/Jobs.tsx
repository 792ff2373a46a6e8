import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { PublicationStatus } from "../gql/graphql";
import { fmtTime } from "../format";
import { Card, Empty, ErrorBox, Loading, Notice, Page, Tag, Table } from "../ui";

const JobsQuery = graphql(`
  query ConsoleJobs {
    jobs {
      name
      schedule
    }
  }
`);
const RunsQuery = graphql(`
  query ConsoleJobRuns($name: String!) {
    jobRuns(filter: { job: $name }, first: 20) {
      totalCount
      edges {
        node {
          job
          trigger
          instance
          startedAt
          finishedAt
          status
          detail
          slotAt
          reason
        }
      }
    }
  }
`);
const PublicationsQuery = graphql(`
  query ConsolePublications($status: PublicationStatus) {
    publications(filter: { status: $status }, first: 30) {
      totalCount
      edges {
        node {
          id
          kind
          aggregateId
          status
          attempts
          nextAttemptAt
          lastError
          createdAt
          doneAt
        }
      }
    }
  }
`);
const RetryPublication = graphql(`mutation ConsoleRetryPublication($input: RetryPublicationInput!) { retryPublication(input: $input) { publication { id status } } }`);

const RunJob = graphql(`mutation ConsoleRunJob($input: RunJobInput!) { runJob(input: $input) { run { job status detail } } }`);

export function Jobs() {
  const [res] = useQuery({ query: JobsQuery });
  const [name, setName] = useState<string | null>(null);
  const [rj, run] = useMutation(RunJob);
  const [done, setDone] = useState<string | null>(null);
  return (
    <Page title="任务与发布">
      <ErrorBox error={res.error ?? rj.error} />
      <Notice text={done} />
      <Loading show={res.fetching && !res.data} />
      <div className="grid2">
        <Card title="定时任务">
          <Table testid="jobs" head={["任务", "计划", ""]}>
            {res.data?.jobs.map((j) => (
              <tr key={j.name} className={name === j.name ? "selected clickable" : "clickable"} onClick={() => setName(j.name)}>
                <td>
                  <code>{j.name}</code>
                </td>
                <td>
                  <code>{j.schedule}</code>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      run({ input: { name: j.name } }).then((r) => r.data && setDone(`${j.name}：${r.data.runJob.run.status} ${r.data.runJob.run.detail ?? ""}`));
                    }}
                  >
                    立即运行
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        </Card>
        <Card title={name ? `运行记录：${name}` : "运行记录"}>{name ? <Runs name={name} /> : <Empty show text="选择一个任务" />}</Card>
      </div>
      <Publications />
    </Page>
  );
}

function Runs({ name }: { name: string }) {
  const [res] = useQuery({ query: RunsQuery, variables: { name }, requestPolicy: "network-only" });
  return (
    <>
      <ErrorBox error={res.error} />
      <Table head={["开始", "结束", "触发", "结果", "说明"]}>
        {res.data?.jobRuns.edges.map(({ node: r }, i) => (
          <tr key={i}>
            <td>{fmtTime(r.startedAt)}</td>
            <td>{fmtTime(r.finishedAt)}</td>
            <td>{r.trigger}</td>
            <td>
              <Tag code={r.status} text={r.status} />
            </td>
            <td>{r.detail ?? r.reason}</td>
          </tr>
        ))}
      </Table>
      <Empty show={!!res.data && res.data.jobRuns.edges.length === 0} />
    </>
  );
}

// Publications lists the outbox messages to the credit platform and WeChat
// (R2.3); a DEAD one can be sent again.
function Publications() {
  const [status, setStatus] = useState<PublicationStatus | "">("");
  const [res, refetch] = useQuery({ query: PublicationsQuery, variables: { status: status || null }, requestPolicy: "network-only" });
  const [rt, retry] = useMutation(RetryPublication);
  const conn = res.data?.publications;
  return (
    <Card title="信用平台发布（outbox）">
      <div className="filters">
        <select value={status} onChange={(e) => setStatus(e.target.value as PublicationStatus | "")} aria-label="发布状态">
          <option value="">全部</option>
          <option value="PENDING">待发送</option>
          <option value="DONE">已发送</option>
          <option value="DEAD">发送失败</option>
        </select>
        <span className="muted">共 {conn?.totalCount ?? 0} 条</span>
      </div>
      <ErrorBox error={res.error ?? rt.error} />
      <Table testid="publications" head={["类型", "状态", "尝试次数", "创建", "完成 / 下次尝试", "错误", ""]}>
        {conn?.edges.map(({ node: p }) => (
          <tr key={p.id}>
            <td>
              <code>{p.kind}</code>
            </td>
            <td>
              <Tag code={p.status} text={p.status} />
            </td>
            <td>{p.attempts}</td>
            <td>{fmtTime(p.createdAt)}</td>
            <td>{fmtTime(p.doneAt ?? p.nextAttemptAt)}</td>
            <td>{p.lastError}</td>
            <td>
              {p.status === "DEAD" && (
                <button type="button" onClick={() => retry({ input: { id: p.id } }).then(() => refetch({ requestPolicy: "network-only" }))}>
                  重新发送
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <Empty show={!!conn && conn.edges.length === 0} />
    </Card>
  );
}
