import { useEffect, useRef, useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { print } from "graphql";
import { graphql } from "../gql";
import type { ImportKind, ImportStatus } from "../gql/graphql";
import { getToken } from "../client";
import { errText, fmtTime, label } from "../format";
import { Card, DL, ErrorBox, Field, Page, Tag, FilterSelect, Table } from "../ui";
import { PagedTable, usePagedList } from "../lists";

const ImportMutation = graphql(`mutation ConsoleImport($input: ImportBillingFileInput!) { importBillingFile(input: $input) { job { id } } }`);

const JobQuery = graphql(`
  query ConsoleImportJob($id: ID!) {
    importJob(id: $id) {
      id
      kind
      fileName
      encoding
      status
      rows
      totalRows
      inserted
      updated
      unchanged
      failed
      errorCount
      message
      createdAt
      updatedAt
      finishedAt
      errors(limit: 100) {
        line
        column
        reason
      }
    }
  }
`);

const JobsQuery = graphql(`
  query ConsoleImportJobs($filter: ImportJobFilter, $first: Int, $after: String) {
    importJobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          fileName
          status
          rows
          totalRows
          failed
          createdAt
        }
      }
    }
  }
`);

const active = (status?: string) => status === "QUEUED" || status === "RUNNING";

// usePoll calls again a second after each answer while on holds: the live
// progress of queued and running imports.
function usePoll(on: boolean, fetching: boolean, again: () => void) {
  const latest = useRef(again);
  latest.current = again;
  useEffect(() => {
    if (!on || fetching) return;
    const t = setTimeout(() => latest.current(), 1000);
    return () => clearTimeout(t);
  }, [on, fetching]);
}

// pct is a job's progress: the rows processed of the file's rows.
const pct = (j: { status: string; rows: number; totalRows: number }) =>
  j.totalRows ? Math.min(100, Math.round((100 * j.rows) / j.totalRows)) : j.status === "DONE" ? 100 : 0;

// Progress is a job's progress bar.
function Progress({ j }: { j: { status: string; rows: number; totalRows: number; failed: number } }) {
  return (
    <div className="progress" role="progressbar" aria-valuenow={pct(j)} aria-valuemin={0} aria-valuemax={100} aria-label="导入进度">
      <div className={"bar " + (j.failed ? "bar-warn" : "")} style={{ width: `${pct(j)}%` }} />
      <span>
        <Tag code={j.status} text={label(j.status)} /> 已处理 {j.rows} / {j.totalRows} 行（{pct(j)}%）
      </span>
    </div>
  );
}

// upload sends the file with the GraphQL multipart request spec over
// XMLHttpRequest, which (unlike fetch) reports upload progress.
function upload(kind: ImportKind, file: File, encoding: string, onProgress: (pct: number) => void): Promise<string> {
  const form = new FormData();
  form.append(
    "operations",
    JSON.stringify({ query: print(ImportMutation), variables: { input: { kind, file: null, encoding: encoding || null } } }),
  );
  form.append("map", JSON.stringify({ "0": ["variables.input.file"] }));
  form.append("0", file);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", "/graphql");
    x.setRequestHeader("Authorization", `Bearer ${getToken() ?? ""}`);
    x.setRequestHeader("Accept", "application/graphql-response+json, application/json");
    x.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((100 * e.loaded) / e.total));
    x.onerror = () => reject(new Error("无法连接服务器"));
    x.onload = () => {
      try {
        const body = JSON.parse(x.responseText);
        if (body.errors?.length) reject(new Error(errText({ graphQLErrors: body.errors })));
        else resolve(body.data.importBillingFile.job.id);
      } catch {
        reject(new Error(`服务器返回 ${x.status}`));
      }
    };
    x.send(form);
  });
}

export function Imports() {
  const [kind, setKind] = useState<ImportKind>("BILLS");
  const [encoding, setEncoding] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const list = usePagedList({
    query: JobsQuery,
    filters: { status: "" },
    variables: (q) => ({ filter: { status: (q.status || null) as ImportStatus | null } }),
    connection: (d) => d.importJobs,
    first: 20,
  });
  const { conn, reload } = list;
  const anyActive = (conn?.edges ?? []).some((e) => active(e.node.status));
  // Live progress: while a job of the page is queued or running, ask again
  // every second.
  usePoll(anyActive, list.res.fetching, reload);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setErr(null);
    setBusy(true);
    setSent(0);
    try {
      const id = await upload(kind, file, encoding, setSent);
      setSelected(id);
      list.restart();
      reload();
    } catch (x) {
      setErr((x as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="账务导入">
      <div className="grid2">
        <div>
          <Card title="导入计费系统文件（CSV）">
            <form className="form" onSubmit={submit}>
              <Field label="文件类型">
                <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as ImportKind)}>
                  {(["ACCOUNTS", "USAGE", "BILLS", "PAYMENTS", "REMINDERS", "CONTRACTS"] as const).map((k) => (
                    <option key={k} value={k}>
                      {label(k)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="编码">
                <select value={encoding} onChange={(e) => setEncoding(e.target.value)}>
                  <option value="">自动识别</option>
                  <option value="utf-8">UTF-8</option>
                  <option value="gbk">GBK</option>
                </select>
              </Field>
              <Field label="文件">
                <input name="file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
              </Field>
              {sent != null && (
                <div className="progress" aria-label="上传进度">
                  <div className="bar" style={{ width: `${sent}%` }} />
                  <span>{busy ? (sent < 100 ? `上传 ${sent}%` : "服务器检查文件…") : "已上传，已加入导入队列"}</span>
                </div>
              )}
              <ErrorBox error={err} />
              <button className="primary" disabled={busy || !file}>
                开始导入
              </button>
            </form>
          </Card>
          <Card title="导入任务">
            <div className="filters">
              <FilterSelect value={list.filters.status} onChange={list.setFilter("status")} codes={["QUEUED", "RUNNING", "DONE", "FAILED"]} allText="全部状态" aria="导入状态" />
            </div>
            <PagedTable
              list={list}
              testid="import-jobs"
              head={["文件", "类型", "进度", "上传时间"]}
              row={({ node: j }) => (
                <tr key={j.id} className={"clickable" + (j.id === selected ? " selected" : "")} onClick={() => setSelected(j.id)}>
                  <td>{j.fileName}</td>
                  <td>{label(j.kind)}</td>
                  <td>
                    <Progress j={j} />
                  </td>
                  <td>{fmtTime(j.createdAt)}</td>
                </tr>
              )}
            />
          </Card>
        </div>
        <div>{selected && <ImportJobCard key={selected} id={selected} />}</div>
      </div>
    </Page>
  );
}

function ImportJobCard({ id }: { id: string }) {
  const [res, refetch] = useQuery({ query: JobQuery, variables: { id }, requestPolicy: "network-only" });
  const j = res.data?.importJob;
  const running = active(j?.status);
  // Live progress: while the job runs, ask again every second.
  usePoll(running, res.fetching, () => refetch({ requestPolicy: "network-only" }));
  return (
    <Card title={`导入 ${j?.fileName ?? id}`}>
      <ErrorBox error={res.error} />
      {j && (
        <div data-testid="import-job">
          <Progress j={j} />
          <DL
            items={[
              ["类型", label(j.kind)],
              ["编码", j.encoding],
              ["新增", j.inserted],
              ["更新", j.updated],
              ["未变", j.unchanged],
              ["失败", j.failed],
              ["错误数", j.errorCount],
              ["上传", fmtTime(j.createdAt)],
              ["最近进度", fmtTime(j.updatedAt)],
              ["结束", fmtTime(j.finishedAt)],
              ["说明", j.message],
            ]}
          />
          {j.errors.length > 0 && (
            <Table testid="import-errors" head={["行", "列", "原因"]}>
              {j.errors.map((e, i) => (
                <tr key={i}>
                  <td>{e.line}</td>
                  <td>{e.column}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </Table>
          )}
        </div>
      )}
    </Card>
  );
}
