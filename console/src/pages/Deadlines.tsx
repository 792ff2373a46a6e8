import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { fmtTime } from "../format";
import { Card, Empty, ErrorBox, Loading, Page } from "../ui";
import { DeadlineTable } from "./Reviews";

const DeadlinesQuery = graphql(`
  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {
    deadlines(filter: { overdueOnly: $overdueOnly, assigneeId: $assigneeId }, first: 100) {
      totalCount
      edges {
        node {
          ...ConsoleDeadline
        }
      }
    }
    myNotices {
      id
      kind
      refId
      text
      createdAt
      readAt
    }
  }
`);

const MarkRead = graphql(`mutation ConsoleMarkNoticeRead($input: MarkNoticeReadInput!) { markNoticeRead(input: $input) { read } }`);

export function Deadlines({ meId }: { meId: string }) {
  const [mine, setMine] = useState(false);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [res, refetch] = useQuery({ query: DeadlinesQuery, variables: { overdueOnly, assigneeId: mine ? meId : null } });
  const [mr, markRead] = useMutation(MarkRead);
  const d = res.data;
  return (
    <Page title="期限与提醒">
      <ErrorBox error={res.error ?? mr.error} />
      <Loading show={res.fetching && !d} />
      <div className="grid2">
        <Card title="办理期限（工作日）">
          <div className="filters">
            <label className="check">
              <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> 仅我负责
            </label>
            <label className="check">
              <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> 仅超期
            </label>
          </div>
          {d && <DeadlineTable list={d.deadlines.edges.map((e) => e.node)} />}
          <Empty show={!!d && d.deadlines.edges.length === 0} />
        </Card>
        <Card title="我的提醒">
          <ul className="notices">
            {d?.myNotices.map((n) => (
              <li key={n.id} className={n.readAt ? "read" : "unread"}>
                <div>{n.text}</div>
                <div className="muted">
                  {fmtTime(n.createdAt)}{" "}
                  {!n.readAt && (
                    <button type="button" onClick={() => markRead({ input: { id: n.id } }).then(() => refetch({ requestPolicy: "network-only" }))}>
                      标为已读
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
          <Empty show={!!d && d.myNotices.length === 0} text="暂无提醒" />
        </Card>
      </div>
    </Page>
  );
}
