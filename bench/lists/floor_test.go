package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// A queue page and a deadlines page as the product answers them (the
// console's selections; times in the product's +08:00 format).
const (
	queueAnswer = `{"data":{"applications":{"totalCount":10001,"pageInfo":{"hasNextPage":true,"endCursor":"Yw2"},
"edges":[
{"cursor":"Yw1","ageSeconds":3600,"stepDue":"2026-12-03T17:00:00+08:00","overdue":false,
 "node":{"id":"app-1","status":"SURVEYED","vip":true,"address":"韶关市浈江区1号","category":"食品加工","channel":"MINI_PROGRAM",
  "submittedAt":"2026-11-30T09:00:00+08:00","stepSince":"2026-12-01T10:30:00+08:00","wantsCreditHandling":true,
  "subject":{"id":"sub-1","name":"韶关市测试食品1","uscc":"91440200MA4UAB1C2D"}}},
{"cursor":"Yw2","ageSeconds":7200,"stepDue":null,"overdue":true,
 "node":{"id":"app-2","status":"SUBMITTED","vip":false,"address":"韶关市武江区2号","category":"餐饮","channel":"COUNTER",
  "submittedAt":"2026-11-29T08:00:00+08:00","stepSince":"2026-11-29T08:00:00+08:00","wantsCreditHandling":false,
  "subject":{"id":"sub-2","name":"张三","uscc":null}}}]}}}`
	deadlinesAnswer = `{"data":{"deadlines":{"totalCount":2,"edges":[
{"node":{"kind":"REPAIR","id":"rep-1","recordId":"rec-1","subjectId":"sub-1","status":"SUBMITTED","dueAt":"2026-12-04T17:00:00+08:00","overdue":false,"assigneeId":"u-1"}},
{"node":{"kind":"OBJECTION","id":"obj-1","recordId":"rec-2","subjectId":"sub-2","status":"IN_REVIEW","dueAt":"2026-11-30T17:00:00+08:00","overdue":true,"assigneeId":null}}]}}}`
)

// The floors serve, through the product's schema, the very answer the
// product gave to the same request: the comparison is like for like only
// if the floor writes the same response.
func TestFloorServesTheProductsAnswer(t *testing.T) {
	for _, c := range []struct {
		name, query, answer string
		vars                map[string]any
	}{
		{"queue", queueQuery, queueAnswer, map[string]any{"filter": map[string]any{}, "orderBy": "VIP_FIRST", "first": 50}},
		{"deadlines", deadlinesQuery, deadlinesAnswer, map[string]any{"filter": map[string]any{"overdueOnly": true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := decodeFloorPage([]byte(c.answer))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			floorHandler(p).ServeHTTP(rec, req)
			var got, want any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			_ = json.Unmarshal([]byte(c.answer), &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the floor answered\n%s\nthe product\n%s", rec.Body, c.answer)
			}
		})
	}
}

// A page without items is no floor of a list (the product's request found
// nothing, or failed).
func TestFloorRefusesAnEmptyPage(t *testing.T) {
	for _, answer := range []string{
		`{"data":{"applications":{"totalCount":0,"pageInfo":{"hasNextPage":false,"endCursor":""},"edges":[]}}}`,
		`{"data":{"deadlines":{"totalCount":0,"edges":[]}}}`,
		`{"errors":[{"message":"未登录"}],"data":null}`,
	} {
		if _, err := decodeFloorPage([]byte(answer)); err == nil {
			t.Errorf("%s: accepted", answer)
		}
	}
}
