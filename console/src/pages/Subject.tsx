import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { fmtDay, fmtTime, label } from "../format";
import { Card, DL, Empty, ErrorBox, Field, Link, Loading, Page, Tag, go } from "../ui";
import { RecordCells } from "./Records";

const SearchQuery = graphql(`
  query ConsoleSearchSubjects($text: String!) {
    searchSubjects(query: $text, first: 20) {
      totalCount
      edges {
        node {
          id
          name
          uscc
          tier
        }
      }
    }
  }
`);

const SubjectQuery = graphql(`
  query ConsoleSubject($id: ID!) {
    subject(id: $id) {
      id
      kind
      name
      uscc
      tier
      tierSince
      legalRepName
      registryStatus
    }
    creditProfile(subjectId: $id) {
      tier
      tierEvaluatedAt
      grade
      gradeReasons
      nextReevaluation
      accountManagerId
      incentives {
        accountManager
        vip
        lenientAcceptance
        usageAnalysis
      }
      records {
        id
        kind
        severity
        status
        summary
        decidedOn
        accountNo
      }
    }
    repairs(filter: { subjectId: $id }, first: 50) {
      edges {
        node {
          id
          status
          dueAt
          record {
            id
            kind
          }
        }
      }
    }
    objections(filter: { subjectId: $id }, first: 50) {
      edges {
        node {
          id
          status
          dueAt
          record {
            id
            kind
          }
        }
      }
    }
    enterpriseAgents(subjectId: $id) {
      id
      personName
      status
      role
      scopes
    }
  }
`);

export function SubjectView({ id }: { id?: string }) {
  const [input, setInput] = useState("");
  const [text, setText] = useState("");
  const [found] = useQuery({ query: SearchQuery, variables: { text }, pause: !text });
  return (
    <Page title="主体查询">
      <Card>
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setText(input.trim());
          }}
        >
          <Field label="统一社会信用代码、名称或户号">
            <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="如 914403001922038216、清源、DEMO-0001" />
          </Field>
          <button className="primary">查询</button>
        </form>
        <ErrorBox error={found.error} />
        {text && found.data && (
          <table className="table" data-testid="subject-search">
            <tbody>
              {found.data.searchSubjects.edges.map(({ node: s }) => (
                <tr key={s.id} className="clickable" onClick={() => go("subjects", s.id)}>
                  <td>{s.name}</td>
                  <td>{s.uscc}</td>
                  <td>{label(s.tier)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Empty show={!!text && !!found.data && found.data.searchSubjects.edges.length === 0} text="未找到主体" />
      </Card>
      {id && <SubjectDetail id={id} />}
    </Page>
  );
}

function SubjectDetail({ id }: { id: string }) {
  const [res] = useQuery({ query: SubjectQuery, variables: { id } });
  const d = res.data;
  return (
    <>
      <ErrorBox error={res.error} />
      <Loading show={res.fetching && !d} />
      {d && (
        <div className="grid2">
          <div>
            <Card title="主体">
              <DL
                items={[
                  ["名称", d.subject.name],
                  ["统一社会信用代码", d.subject.uscc],
                  ["法定代表人", d.subject.legalRepName],
                  ["登记状态", d.subject.registryStatus],
                  ["信用等级", <Tag code={d.creditProfile.tier} text={label(d.creditProfile.tier)} />],
                  ["评定时间", fmtTime(d.creditProfile.tierEvaluatedAt)],
                  ["分级分类", d.creditProfile.grade ? label(d.creditProfile.grade) : "—"],
                  ["分级依据", d.creditProfile.gradeReasons.join("；") || "—"],
                  ["下次复评", fmtTime(d.creditProfile.nextReevaluation)],
                  [
                    "激励措施",
                    [
                      d.creditProfile.incentives.vip && "VIP 通道",
                      d.creditProfile.incentives.accountManager && "客户经理",
                      d.creditProfile.incentives.lenientAcceptance && "容缺受理",
                      d.creditProfile.incentives.usageAnalysis && "用水分析",
                    ]
                      .filter(Boolean)
                      .join("、") || "—",
                  ],
                ]}
              />
            </Card>
            <Card title="经办人与绑定">
              <table className="table">
                <tbody>
                  {d.enterpriseAgents.map((b) => (
                    <tr key={b.id}>
                      <td>{b.personName}</td>
                      <td>{b.role}</td>
                      <td>{b.status}</td>
                      <td>{b.scopes.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Empty show={d.enterpriseAgents.length === 0} />
            </Card>
          </div>
          <div>
            <Card title="失信记录">
              <table className="table">
                <tbody>
                  {d.creditProfile.records.map((r) => (
                    <tr key={r.id}>
                      <RecordCells r={r} />
                      <td>{r.summary}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Empty show={d.creditProfile.records.length === 0} />
            </Card>
            <Card title="修复与异议">
              <table className="table">
                <tbody>
                  {d.repairs.edges.map(({ node: r }) => (
                    <tr key={r.id}>
                      <td>
                        <Link to={["reviews", "REPAIR", r.id]}>信用修复</Link>
                      </td>
                      <td>{label(r.status)}</td>
                      <td>期限 {fmtDay(r.dueAt)}</td>
                    </tr>
                  ))}
                  {d.objections.edges.map(({ node: o }) => (
                    <tr key={o.id}>
                      <td>
                        <Link to={["reviews", "OBJECTION", o.id]}>异议</Link>
                      </td>
                      <td>{label(o.status)}</td>
                      <td>期限 {fmtDay(o.dueAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Empty show={d.repairs.edges.length + d.objections.edges.length === 0} />
            </Card>
          </div>
        </div>
      )}
    </>
  );
}
