import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { fmtTime } from "../format";
import { Card, Empty, ErrorBox, Loading, Notice, Page, Tag } from "../ui";

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
    jobRuns(name: $name, limit: 20) {
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
`);
const RunJob = graphql(`
  mutation ConsoleRunJob($name: String!) {
    runJob(name: $name) {
      job
      status
      detail
    }
  }
`);

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
          <table className="table" data-testid="jobs">
            <thead>
              <tr>
                <th>任务</th>
                <th>计划</th>
                <th />
              </tr>
            </thead>
            <tbody>
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
                        run({ name: j.name }).then((r) => r.data && setDone(`${j.name}：${r.data.runJob.status} ${r.data.runJob.detail ?? ""}`));
                      }}
                    >
                      立即运行
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">信用平台发布（outbox）列表与重试待 API 提供后在此显示。</p>
        </Card>
        <Card title={name ? `运行记录：${name}` : "运行记录"}>{name ? <Runs name={name} /> : <Empty show text="选择一个任务" />}</Card>
      </div>
    </Page>
  );
}

function Runs({ name }: { name: string }) {
  const [res] = useQuery({ query: RunsQuery, variables: { name }, requestPolicy: "network-only" });
  return (
    <>
      <ErrorBox error={res.error} />
      <table className="table">
        <thead>
          <tr>
            <th>开始</th>
            <th>结束</th>
            <th>触发</th>
            <th>结果</th>
            <th>说明</th>
          </tr>
        </thead>
        <tbody>
          {res.data?.jobRuns.map((r, i) => (
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
        </tbody>
      </table>
      <Empty show={!!res.data && res.data.jobRuns.length === 0} />
    </>
  );
}
