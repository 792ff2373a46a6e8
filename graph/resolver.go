// Package graph is the GraphQL layer: the schema (graph/schema), thin
// resolvers that map arguments, call one domain function and map the result,
// the @hasRole directive and the error presenter. It holds no business rules
// and no database code.
package graph

//go:generate go tool gqlgen generate

import (
	"creditwater/apply"
	"creditwater/billing"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/credit/rules"
	"creditwater/credit/usage"
	"creditwater/jobs"
	"creditwater/ops"
	"time"

	"creditwater/audit"
	"creditwater/auth"
	"creditwater/enterprise"
	"creditwater/inbox"
	"creditwater/pii"
	"creditwater/rating"
	"creditwater/selfservice"
)

// Resolver holds the domain services the resolvers call.
type Resolver struct {
	Auth       *auth.Service
	Audit      *audit.Log
	SessionTTL time.Duration
	Enterprise *enterprise.Service
	Apply      *apply.Service
	Records    *record.Service
	Cases      *rules.Cases
	Exempt     *rules.Exemptions
	Grades     *grade.Service
	Usage      *usage.Service
	Repairs    *review.Repairs
	Objections *review.Objections
	Reviews    *review.Desk
	Importer   *billing.Importer
	JobRunner  *jobs.Runner
	Ratings    *rating.Service
	Phone      auth.PhoneExchanger
	Sealer     *pii.Sealer
	Inbox      *inbox.Inbox
	Ops        *ops.Service
	Self       *selfservice.Service
	Publicity  *selfservice.Publicity
	FollowUps  *selfservice.FollowUps
}
